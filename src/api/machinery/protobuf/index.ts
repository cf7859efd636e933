export { decodeKubeProtobuf } from "./decode.ts";
export { encodeKubeProtobuf } from "./encode.ts";
export { MAGIC, PROTOBUF_CONTENT_TYPE } from "./envelope.ts";

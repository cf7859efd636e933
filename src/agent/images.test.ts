import assert from "node:assert/strict";
import { test } from "node:test";
import { containerID, goDuration, imageID, imageMessages, normalizeImage } from "./images.ts";

// distribution/reference ParseNormalizedNamed + TagNameOnly (what containerd reports as image).
test("image references are normalized like containerd reports them", () => {
  assert.equal(normalizeImage("nginx"), "docker.io/library/nginx:latest");
  assert.equal(normalizeImage("nginx:1.25"), "docker.io/library/nginx:1.25");
  assert.equal(normalizeImage("bitnami/redis"), "docker.io/bitnami/redis:latest");
  assert.equal(normalizeImage("registry.k8s.io/pause:3.9"), "registry.k8s.io/pause:3.9");
  assert.equal(normalizeImage("localhost/app"), "localhost/app:latest");
  assert.equal(normalizeImage("localhost:5000/app:v1"), "localhost:5000/app:v1");
  const d = `sha256:${"a".repeat(64)}`;
  assert.equal(normalizeImage(`nginx@${d}`), `docker.io/library/nginx@${d}`);
});

test("image and container IDs", () => {
  assert.match(imageID("nginx"), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.equal(imageID("nginx"), imageID("docker.io/library/nginx:latest"));
  assert.match(containerID("skiff-simulated", "uid-1", "web"), /^skiff-simulated:\/\/[0-9a-f]{64}$/);
  assert.notEqual(containerID("r", "uid-1", "a"), containerID("r", "uid-2", "a"));
});

// Go's time.Duration.String().
test("durations print as Go prints them", () => {
  assert.equal(goDuration(0), "0s");
  assert.equal(goDuration(523), "523ms");
  assert.equal(goDuration(1500), "1.5s");
  assert.equal(goDuration(2004), "2.004s");
  assert.equal(goDuration(123_000), "2m3s");
  assert.equal(goDuration(3_600_000), "1h0m0s");
});

// kubelet 1.33 image_manager.go texts.
test("kubelet's image messages", () => {
  assert.equal(
    imageMessages.pulled("nginx", 1234, 1300, 0),
    'Successfully pulled image "nginx" in 1.234s (1.3s including waiting). Image size: 0 bytes.',
  );
  assert.equal(imageMessages.present("nginx"), 'Container image "nginx" already present on machine');
  assert.equal(imageMessages.pulling("nginx"), 'Pulling image "nginx"');
});

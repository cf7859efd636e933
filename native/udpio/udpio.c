/*
 * Batched UDP I/O for the DNS server (README.md says why): one socket polled on the Node loop,
 * datagrams read with recvmmsg into one shared buffer, one JS callback per batch, the replies the
 * callback wrote sent back with one sendmmsg. Only node_api.h and uv.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* The shared buffer: BATCH input slots, BATCH output slots, BATCH peer addresses, then the
 * int32 meta words (input length, output length, flags per datagram). */
#define BATCH 64
#define SLOT 4096
#define ADDR 32
/* Batches read per readable event: bounds the work per wakeup so timers and other sockets
 * still run under a flood (the poll is level-triggered, so what is left wakes us again). */
#define ROUNDS 8
#define IN_OFF 0
#define OUT_OFF (BATCH * SLOT)
#define ADDR_OFF (2 * BATCH * SLOT)
#define META_OFF (ADDR_OFF + BATCH * ADDR)
/* After the per-datagram words: the batch number, and 1 while its callback (with the microtasks
 * after it) runs, so replies completed then still join the batch's sendmmsg. */
#define META_GEN (3 * BATCH)
#define META_OPEN (3 * BATCH + 1)
/* Failed replies so far (dropped or errors, wrapping): JS reads stats() only when it moved,
 * instead of calling in after every batch. */
#define META_FAILS (3 * BATCH + 2)
#define SHARED_LEN (META_OFF + (3 * BATCH + 3) * 4)
#define FLAG_TRUNC 1
#define FLAG_IPV6 2

typedef struct {
  int fd;
  int closed;
  int handle_closed; /* uv_close's callback ran */
  int finalized;     /* the JS handle was collected */
  int in_cb;         /* inside the batch callback: references are released after it */
  int release;       /* close() ran inside the callback: release when it returns */
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_ref shared;
  napi_ref self; /* keeps the handle alive while the socket is open, as a dgram socket is */
  napi_async_context actx;
  uint8_t *mem;
  int32_t *meta;
  double dropped; /* replies the kernel refused with EAGAIN/ENOBUFS */
  double errors;  /* replies that failed otherwise */
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
} sock_t;

static void maybe_free(sock_t *s) {
  if (s->handle_closed && s->finalized) free(s);
}

static void on_handle_closed(uv_handle_t *h) {
  sock_t *s = h->data;
  s->handle_closed = 1;
  maybe_free(s);
}

static void release_refs(sock_t *s) {
  s->release = 0;
  napi_delete_reference(s->env, s->cb);
  napi_delete_reference(s->env, s->shared);
  napi_async_destroy(s->env, s->actx);
  /* Last: from here the handle may be collected, and on_finalize may free s. */
  napi_delete_reference(s->env, s->self);
}

/* Stops polling and closes the fd; with napi_ok, also drops the references (after the batch
 * callback returns when called from inside it: make_callback still uses the async context). */
static void shut(sock_t *s, int napi_ok) {
  if (s->closed) return;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
  close(s->fd);
  s->fd = -1;
  if (!napi_ok) return;
  if (s->in_cb) s->release = 1;
  else release_refs(s);
}

static void on_env_teardown(void *arg) {
  shut(arg, 0);
}

static void on_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sock_t *s = data;
  s->finalized = 1;
  if (!s->closed) {
    /* Only reachable at environment teardown (an open socket holds its own handle). */
    napi_remove_env_cleanup_hook(env, on_env_teardown, s);
    shut(s, 0);
  }
  maybe_free(s);
}

static int is_soft_send_error(int e) {
  return e == EAGAIN || e == EWOULDBLOCK || e == ENOBUFS;
}

static void count_failure(sock_t *s) {
  s->meta[META_FAILS] = (int32_t)((uint32_t)s->meta[META_FAILS] + 1u);
}

static socklen_t addr_len(const uint8_t *a) {
  return ((const struct sockaddr *)a)->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                              : sizeof(struct sockaddr_in);
}

static void send_batch(sock_t *s, int n) {
  int m = 0;
  for (int i = 0; i < n; i++) {
    int32_t len = s->meta[BATCH + i];
    if (len <= 0 || len > SLOT) continue;
    s->siov[m].iov_base = s->mem + OUT_OFF + (size_t)i * SLOT;
    s->siov[m].iov_len = (size_t)len;
    memset(&s->smsg[m].msg_hdr, 0, sizeof s->smsg[m].msg_hdr);
    s->smsg[m].msg_hdr.msg_iov = &s->siov[m];
    s->smsg[m].msg_hdr.msg_iovlen = 1;
    s->smsg[m].msg_hdr.msg_name = s->mem + ADDR_OFF + (size_t)i * ADDR;
    s->smsg[m].msg_hdr.msg_namelen = s->rmsg[i].msg_hdr.msg_namelen;
    m++;
  }
  int off = 0;
  while (off < m) {
    int k = sendmmsg(s->fd, s->smsg + off, (unsigned)(m - off), MSG_DONTWAIT);
    if (k > 0) {
      off += k;
      continue;
    }
    if (errno == EINTR) continue;
    if (is_soft_send_error(errno)) {
      /* The send buffer is full: the rest of the batch is dropped, as the kernel would. */
      s->dropped += m - off;
      count_failure(s);
      return;
    }
    /* This one reply failed (unreachable, refused by a firewall…): skip it, send the rest. */
    s->errors++;
    count_failure(s);
    off++;
  }
}

static void on_poll(uv_poll_t *p, int status, int events) {
  (void)events;
  sock_t *s = p->data;
  napi_env env = s->env;
  if (s->closed) return;
  if (status < 0) {
    /* libuv stops a poll handle on POLLERR: take the socket's pending error and poll again. */
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    uv_poll_start(&s->poll, UV_READABLE, on_poll);
  }
  for (int round = 0; round < ROUNDS && !s->closed; round++) {
    for (int i = 0; i < BATCH; i++) {
      s->rmsg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in6);
      s->rmsg[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, s->rmsg, BATCH, MSG_DONTWAIT, NULL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (int i = 0; i < n; i++) {
      const struct mmsghdr *r = &s->rmsg[i];
      const struct sockaddr_in6 *a6 = r->msg_hdr.msg_name;
      int v6 = a6->sin6_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr);
      s->meta[i] = r->msg_len > SLOT ? SLOT : (int32_t)r->msg_len;
      s->meta[BATCH + i] = 0;
      s->meta[2 * BATCH + i] = ((r->msg_hdr.msg_flags & MSG_TRUNC) ? FLAG_TRUNC : 0) | (v6 ? FLAG_IPV6 : 0);
    }
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value cb, recv, argv[1], res;
    napi_get_reference_value(env, s->cb, &cb);
    napi_get_global(env, &recv); /* make_callback wants an object receiver */
    napi_create_int32(env, n, &argv[0]);
    /* make_callback: the tick queue and microtasks run when it returns, as after a dgram event. */
    s->in_cb = 1;
    s->meta[META_GEN] = (int32_t)((uint32_t)s->meta[META_GEN] + 1u);
    s->meta[META_OPEN] = 1;
    napi_status st = napi_make_callback(env, s->actx, recv, cb, 1, argv, &res);
    s->meta[META_OPEN] = 0;
    s->in_cb = 0;
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
    napi_close_handle_scope(env, scope);
    /* The callback (or a microtask) may have closed the socket: nothing more to send then. */
    if (s->closed) {
      if (s->release) release_refs(s);
      return;
    }
    send_batch(s, n);
    if (n < BATCH) return;
  }
}

static napi_value throw_errno(napi_env env, const char *syscall, int err, const char *host, int port) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s %s %s:%d", syscall, uv_err_name(uv_translate_sys_error(err)), host, port);
  napi_value code, text, e;
  napi_create_string_utf8(env, uv_err_name(uv_translate_sys_error(err)), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &e);
  napi_value sc;
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, e, "syscall", sc);
  napi_throw(env, e);
  return NULL;
}

static int arg_string(napi_env env, napi_value v, char *buf, size_t cap) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok) return -1;
  return len + 1 < cap ? 0 : -1;
}

/* A socket bound to host:port; "" is dual-stack :: (0.0.0.0 where IPv6 is unavailable). */
static int bind_socket(const char *host, int port, int *fd_out, int *err_out) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  int family;
  if (host[0] == '\0') {
    family = AF_INET6;
    uv_ip6_addr("::", port, (struct sockaddr_in6 *)&ss);
  } else if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) == 0) {
    family = AF_INET;
  } else if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) == 0) {
    family = AF_INET6;
  } else {
    *err_out = EINVAL;
    return -1;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 && host[0] == '\0' && errno == EAFNOSUPPORT) return bind_socket("0.0.0.0", port, fd_out, err_out);
  if (fd < 0) {
    *err_out = errno;
    return -1;
  }
  if (family == AF_INET6) {
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
  }
  socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
    *err_out = errno;
    close(fd);
    return -1;
  }
  *fd_out = fd;
  return family;
}

static void *buffer_data(napi_env env, napi_value v, size_t *len) {
  bool is;
  void *d = NULL;
  if (napi_is_buffer(env, v, &is) != napi_ok || !is) return NULL;
  if (napi_get_buffer_info(env, v, &d, len) != napi_ok) return NULL;
  return d;
}

static sock_t *arg_sock(napi_env env, napi_value v) {
  void *d = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return NULL;
  napi_get_value_external(env, v, &d);
  return d;
}

/* open(host, port, onBatch(count)) -> [handle, boundPort, family (4|6), shared Buffer] */
static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  char host[128];
  int32_t port = 0;
  napi_valuetype cbt = napi_undefined;
  if (argc < 3) a[2] = NULL;
  if (argc < 3 || arg_string(env, a[0], host, sizeof host) != 0 || napi_get_value_int32(env, a[1], &port) != napi_ok ||
      napi_typeof(env, a[2], &cbt) != napi_ok || cbt != napi_function || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "open(host: string, port: number, onBatch: function)");
    return NULL;
  }
  int fd = -1, err = 0;
  int family = bind_socket(host, port, &fd, &err);
  if (family < 0) return throw_errno(env, "bind", err, host, port);

  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  if (getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
    err = errno;
    close(fd);
    return throw_errno(env, "getsockname", err, host, port);
  }
  int bport = ntohs(((struct sockaddr_in *)&bound)->sin_port);

  sock_t *s = calloc(1, sizeof(sock_t));
  if (!s) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "udpio: out of memory");
    return NULL;
  }
  s->fd = fd;
  s->env = env;
  napi_value shared, handle, name, out, v;
  void *mem = NULL;
  if (napi_create_buffer(env, SHARED_LEN, &mem, &shared) != napi_ok) {
    close(fd);
    free(s);
    return NULL;
  }
  s->mem = mem;
  s->meta = (int32_t *)(s->mem + META_OFF);
  for (int i = 0; i < BATCH; i++) {
    s->riov[i].iov_base = s->mem + IN_OFF + (size_t)i * SLOT;
    s->riov[i].iov_len = SLOT;
    s->rmsg[i].msg_hdr.msg_iov = &s->riov[i];
    s->rmsg[i].msg_hdr.msg_iovlen = 1;
    s->rmsg[i].msg_hdr.msg_name = s->mem + ADDR_OFF + (size_t)i * ADDR;
  }
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  if (uv_poll_init(loop, &s->poll, fd) != 0) {
    close(fd);
    free(s);
    napi_throw_error(env, "EIO", "udpio: uv_poll_init failed");
    return NULL;
  }
  s->poll.data = s;
  napi_create_external(env, s, on_finalize, NULL, &handle);
  /* The references keep the shared buffer (whose memory C writes) and the callback alive. */
  napi_create_reference(env, shared, 1, &s->shared);
  napi_create_reference(env, a[2], 1, &s->cb);
  napi_create_reference(env, handle, 1, &s->self);
  napi_create_string_utf8(env, "skiff:udpio", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->actx);
  napi_add_env_cleanup_hook(env, on_env_teardown, s);
  uv_poll_start(&s->poll, UV_READABLE, on_poll);

  napi_create_array_with_length(env, 4, &out);
  napi_set_element(env, out, 0, handle);
  napi_create_int32(env, bport, &v);
  napi_set_element(env, out, 1, v);
  napi_create_int32(env, family == AF_INET6 ? 6 : 4, &v);
  napi_set_element(env, out, 2, v);
  napi_set_element(env, out, 3, shared);
  return out;
}

/* send(handle, reply, addr) -> true when handed to the kernel; a refused reply is counted. */
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3], r;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  sock_t *s = argc == 3 ? arg_sock(env, a[0]) : NULL;
  size_t blen = 0, alen = 0;
  void *buf = s ? buffer_data(env, a[1], &blen) : NULL;
  uint8_t *addr = buf ? buffer_data(env, a[2], &alen) : NULL;
  if (!s || !buf || !addr || alen < sizeof(struct sockaddr_in) ||
      alen < addr_len(addr)) {
    napi_throw_type_error(env, NULL, "send(handle, reply: Buffer, addr: Buffer)");
    return NULL;
  }
  bool ok = false;
  if (!s->closed) {
    ssize_t k;
    do {
      k = sendto(s->fd, buf, blen, MSG_DONTWAIT, (struct sockaddr *)addr, addr_len(addr));
    } while (k < 0 && errno == EINTR);
    ok = k >= 0;
    if (!ok) {
      if (is_soft_send_error(errno)) s->dropped++;
      else s->errors++;
      count_failure(s);
    }
  }
  napi_get_boolean(env, ok, &r);
  return r;
}

/* close(handle): stop polling, close the fd, let go of the buffer and the callback. */
static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  sock_t *s = argc == 1 ? arg_sock(env, a[0]) : NULL;
  if (!s) {
    napi_throw_type_error(env, NULL, "close(handle)");
    return NULL;
  }
  if (!s->closed) {
    napi_remove_env_cleanup_hook(env, on_env_teardown, s);
    shut(s, 1);
  }
  return NULL;
}

/* stats(handle) -> [dropped (EAGAIN/ENOBUFS), other send errors] */
static napi_value Stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1], out, v;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  sock_t *s = argc == 1 ? arg_sock(env, a[0]) : NULL;
  if (!s) {
    napi_throw_type_error(env, NULL, "stats(handle)");
    return NULL;
  }
  napi_create_array_with_length(env, 2, &out);
  napi_create_double(env, s->dropped, &v);
  napi_set_element(env, out, 0, v);
  napi_create_double(env, s->errors, &v);
  napi_set_element(env, out, 1, v);
  return out;
}

/* peer(addr) -> [address, port, family (4|6)], formatted as Node formats a dgram rinfo. */
static napi_value Peer(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1], out, v;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  size_t alen = 0;
  const uint8_t *addr = argc == 1 ? buffer_data(env, a[0], &alen) : NULL;
  if (!addr || alen < sizeof(struct sockaddr_in) || alen < addr_len(addr)) {
    napi_throw_type_error(env, NULL, "peer(addr: Buffer)");
    return NULL;
  }
  char ip[INET6_ADDRSTRLEN + UV_IF_NAMESIZE + 2];
  int port, family;
  if (((const struct sockaddr *)addr)->sa_family == AF_INET6) {
    struct sockaddr_in6 a6;
    memcpy(&a6, addr, sizeof a6);
    uv_inet_ntop(AF_INET6, &a6.sin6_addr, ip, sizeof ip);
    /* A link-local peer carries its interface, as Node's rinfo.address does. */
    if (IN6_IS_ADDR_LINKLOCAL(&a6.sin6_addr) && a6.sin6_scope_id > 0) {
      size_t n = strlen(ip);
      ip[n] = '%';
      size_t rest = sizeof ip - n - 1;
      uv_if_indextoiid(a6.sin6_scope_id, ip + n + 1, &rest);
    }
    port = ntohs(a6.sin6_port);
    family = 6;
  } else {
    struct sockaddr_in a4;
    memcpy(&a4, addr, sizeof a4);
    uv_inet_ntop(AF_INET, &a4.sin_addr, ip, sizeof ip);
    port = ntohs(a4.sin_port);
    family = 4;
  }
  napi_create_array_with_length(env, 3, &out);
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, out, 0, v);
  napi_create_int32(env, port, &v);
  napi_set_element(env, out, 1, v);
  napi_create_int32(env, family, &v);
  napi_set_element(env, out, 2, v);
  return out;
}

/* Copy of a JS string (malloc'd), or NULL when it is not a string. */
static char *dup_string(napi_env env, napi_value v) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return NULL;
  char *s = malloc(n + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

/* exec(path, argv): replace this process (same PID, open stdio, environment) with `path` run
 * with `argv` (execv), as Node 23's process.execve does: V8 takes some flags only on its command
 * line (--single-threaded-gc). Returns only when it failed: the errno. */
static napi_value Exec(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2], out;
  uint32_t len = 0;
  int err = EINVAL;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2 || napi_get_array_length(env, args[1], &len) != napi_ok || len == 0) {
    napi_throw_type_error(env, NULL, "exec(path, argv): argv must be a non-empty array");
    return NULL;
  }
  char *path = dup_string(env, args[0]);
  char **argv = calloc(len + 1, sizeof(char *));
  int ok = path != NULL && argv != NULL;
  for (uint32_t i = 0; ok && i < len; i++) {
    napi_value v;
    napi_get_element(env, args[1], i, &v);
    argv[i] = dup_string(env, v);
    ok = argv[i] != NULL;
  }
  if (ok) {
    /* Node marks its stdio close-on-exec: without this the new program starts with them closed
     * (and Node opens /dev/null in their place). */
    for (int fd = 0; fd <= 2; fd++) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    execv(path, argv);
    err = errno;
  }
  for (uint32_t i = 0; argv != NULL && i < len; i++) free(argv[i]);
  free(argv);
  free(path);
  napi_create_int32(env, err, &out);
  return out;
}

/* trim() → whether memory went back to the system. glibc keeps what the process freed for later
 * mallocs (V8's compiler zones, ArrayBuffer stores, Node's buffers); malloc_trim gives back the
 * free pages inside the heap as well as its top. Other C libraries: false. */
static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value out;
  napi_get_boolean(env, released != 0, &out);
  return out;
}

static void export_fn(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}

static void export_int(napi_env env, napi_value exports, const char *name, int32_t n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  napi_set_named_property(env, exports, name, v);
}

#ifdef UDPIO_GCSTATS
/* gcstats.cc: V8's GC callbacks need C++ (left out where there is no C++ compiler). */
void gcstats_export(napi_env env, napi_value exports);
#endif

NAPI_MODULE_INIT() {
#ifdef UDPIO_GCSTATS
  gcstats_export(env, exports);
#endif
  export_fn(env, exports, "open", Open);
  export_fn(env, exports, "send", Send);
  export_fn(env, exports, "close", Close);
  export_fn(env, exports, "stats", Stats);
  export_fn(env, exports, "peer", Peer);
  export_fn(env, exports, "exec", Exec);
  export_fn(env, exports, "trim", Trim);
  export_int(env, exports, "BATCH", BATCH);
  export_int(env, exports, "SLOT", SLOT);
  export_int(env, exports, "ADDR", ADDR);
  export_int(env, exports, "OUT_OFF", OUT_OFF);
  export_int(env, exports, "ADDR_OFF", ADDR_OFF);
  export_int(env, exports, "META_OFF", META_OFF);
  export_int(env, exports, "FLAG_TRUNC", FLAG_TRUNC);
  export_int(env, exports, "FLAG_IPV6", FLAG_IPV6);
  export_int(env, exports, "META_GEN", META_GEN);
  export_int(env, exports, "META_OPEN", META_OPEN);
  export_int(env, exports, "META_FAILS", META_FAILS);
  return exports;
}

/*
 * gcWatch()/gcStats(out): garbage-collection pauses counted in V8's own GC callbacks, for
 * nodejs_gc_duration_seconds. A PerformanceObserver on "gc" entries (prom-client's way) makes an
 * entry object and a JS call for every collection; with skiff dns's 1 MiB young generation that
 * is several hundred calls a second under load. Here a collection costs two clock reads.
 */
#include <node_api.h>
#include <time.h>
#include <v8.h>

namespace {

// Node's perf_hooks kinds, in its label order: minor, major, incremental, weakcb.
constexpr int KINDS = 4;
// prom-client's default buckets for nodejs_gc_duration_seconds.
constexpr double BOUNDS[] = {0.001, 0.01, 0.1, 1, 2, 5};
constexpr int NB = sizeof(BOUNDS) / sizeof(BOUNDS[0]);
// Per kind: count, sum of seconds, then one count per bucket (not cumulative).
constexpr int STRIDE = 2 + NB;

double stats[KINDS * STRIDE];
double started[KINDS];
v8::Isolate *watched = nullptr;

// GCType's bit values, stable across V8 versions (the names of the minor ones are not):
// scavenge 1, minor mark-sweep 2, mark-sweep-compact 4, incremental marking 8, weak callbacks 16.
int kindOf(v8::GCType type) {
  switch (static_cast<int>(type)) {
    case 1:
    case 2:
      return 0;
    case 4:
      return 1;
    case 8:
      return 2;
    case 16:
      return 3;
    default:
      return -1;
  }
}

double seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void prologue(v8::Isolate *, v8::GCType type, v8::GCCallbackFlags) {
  const int k = kindOf(type);
  if (k >= 0) started[k] = seconds();
}

void epilogue(v8::Isolate *, v8::GCType type, v8::GCCallbackFlags) {
  const int k = kindOf(type);
  if (k < 0 || started[k] == 0) return;
  const double d = seconds() - started[k];
  started[k] = 0;
  double *s = stats + k * STRIDE;
  s[0] += 1;
  s[1] += d;
  for (int i = 0; i < NB; i++) {
    if (d <= BOUNDS[i]) {
      s[2 + i] += 1;
      break;
    }
  }
}

void unwatch(void *) {
  if (watched == nullptr) return;
  watched->RemoveGCPrologueCallback(prologue);
  watched->RemoveGCEpilogueCallback(epilogue);
  watched = nullptr;
}

// gcWatch() → true once this isolate's collections are counted (false: another isolate's are).
napi_value GcWatch(napi_env env, napi_callback_info) {
  v8::Isolate *isolate = v8::Isolate::GetCurrent();
  bool ok = watched == isolate;
  if (watched == nullptr) {
    isolate->AddGCPrologueCallback(prologue);
    isolate->AddGCEpilogueCallback(epilogue);
    watched = isolate;
    napi_add_env_cleanup_hook(env, unwatch, nullptr);
    ok = true;
  }
  napi_value out;
  napi_get_boolean(env, ok, &out);
  return out;
}

// gcStats(out: Float64Array of gcKinds × (2 + gcBounds.length)) → out, filled with the counts so far.
napi_value GcStats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  napi_typedarray_type type;
  size_t length = 0;
  void *data = nullptr;
  if (argc < 1 || napi_get_typedarray_info(env, arg, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array || length < static_cast<size_t>(KINDS * STRIDE)) {
    napi_throw_type_error(env, nullptr, "gcStats: a Float64Array of gcKinds * (gcBounds.length + 2) numbers");
    return nullptr;
  }
  double *out = static_cast<double *>(data);
  for (int i = 0; i < KINDS * STRIDE; i++) out[i] = stats[i];
  return arg;
}

void exportFn(napi_env env, napi_value exports, const char *name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

}  // namespace

extern "C" void gcstats_export(napi_env env, napi_value exports) {
  exportFn(env, exports, "gcWatch", GcWatch);
  exportFn(env, exports, "gcStats", GcStats);
  napi_value v;
  napi_create_int32(env, KINDS, &v);
  napi_set_named_property(env, exports, "gcKinds", v);
  // The buckets, so that JS labels the counts without a copy of them to keep in step.
  napi_value bounds;
  napi_create_array_with_length(env, NB, &bounds);
  for (int i = 0; i < NB; i++) {
    napi_create_double(env, BOUNDS[i], &v);
    napi_set_element(env, bounds, i, v);
  }
  napi_set_named_property(env, exports, "gcBounds", bounds);
}

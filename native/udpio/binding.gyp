{
  "targets": [
    {
      "target_name": "udpio",
      "sources": ["udpio.c", "gcstats.cc"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "cflags_c": ["-std=gnu11"],
      "cflags_cc": ["-std=gnu++17"]
    }
  ]
}

/* Type-checking shim for `make check-targets` only (no macOS SDK on Linux): lets ring's build script
   compile its C for x86_64-apple-darwin so that `cargo check` can type-check sfmfa. Never linked. */
#include <stddef.h>
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);

/*
 * bcryptprimitives.dll for Wine 8 (Debian 12's wine64), which lacks it: Rust's standard library
 * (since 1.78) imports ProcessPrng from it for its random numbers (HashMap seeds), so no Rust
 * program starts there without this DLL. ci/windows-under-wine.sh builds it with mingw-w64 and puts
 * it in the temporary Wine prefix's system32. Real Windows (10 and later) and Wine 9 have their own.
 *
 * ProcessPrng fills the buffer from the system's preferred random generator, as Windows' does;
 * here through BCryptGenRandom, which Wine implements. Like Windows', it always returns TRUE: it
 * aborts the process rather than return fewer random bytes.
 */
#include <windows.h>
#include <bcrypt.h>
#include <stdlib.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            abort();
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}

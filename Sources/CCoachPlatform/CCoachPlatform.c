#ifdef __linux__
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <errno.h>
#include "CCoachPlatform.h"

int coach_write_back_range(int fd, long long offset, long long length) {
#ifdef __linux__
    return sync_file_range(fd, offset, length,
                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
#else
    (void)fd; (void)offset; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int coach_start_write_back(int fd, long long offset, long long length) {
#ifdef __linux__
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd; (void)offset; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}

int coach_set_idle_io_priority(void) {
#if defined(__linux__) && defined(SYS_ioprio_set)
    // include/uapi/linux/ioprio.h: IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_IDLE = 3, class shift 13.
    // "Process" 0 is the calling thread (ioprio_set(2)).
    return (int)syscall(SYS_ioprio_set, 1, 0, 3 << 13);
#else
    errno = ENOSYS;
    return -1;
#endif
}

// CRC-32C with the CPU's instruction, as google/crc32c does it (src/crc32c_sse42.cc with the
// cpuid check of src/crc32c_sse42_check.h; src/crc32c_arm64.cc): the same polynomial as the
// software tables in CRC32C.swift, with the same ~crc on entry and exit. A plain loop, eight
// bytes per instruction: latency-bound, yet several times the tables' speed.
#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int coach_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t coach_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = data;
    uint64_t c = ~crc;
    while (length >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);  // unaligned load
        c = _mm_crc32_u64(c, word);
        p += 8;
        length -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (length > 0) {
        c32 = _mm_crc32_u8(c32, *p++);
        length -= 1;
    }
    return ~c32;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int coach_crc32c_hardware_available(void) { return 1; }  // the target guarantees the extension

uint32_t coach_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (length >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        c = __crc32cd(c, word);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        c = __crc32cb(c, *p++);
        length -= 1;
    }
    return ~c;
}

#else
int coach_crc32c_hardware_available(void) { return 0; }

uint32_t coach_crc32c_hardware(uint32_t crc, const void *data, size_t length) {
    (void)data; (void)length;
    return crc;  // never called: coach_crc32c_hardware_available() is 0
}
#endif

// What Swift cannot reach by itself: two Linux calls, and the CPU's CRC-32C instruction.
// sync_file_range(2) is declared only with _GNU_SOURCE, and ioprio_set(2) has no libc wrapper
// (syscall(2) is variadic, which Swift cannot call); elsewhere both fail with ENOSYS, and only
// the compaction thread uses them. The CRC-32C instruction needs a compiler intrinsic.
#ifndef C_COACH_PLATFORM_H
#define C_COACH_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/// sync_file_range(fd, offset, length, WAIT_BEFORE | WRITE | WAIT_AFTER): writes the range back
/// and waits for it, as Redis's rio autosync and RocksDB's bytes_per_sync bound the dirty data
/// a background rewrite leaves for its final fsync. Returns 0, or -1 with errno set.
int coach_write_back_range(int fd, long long offset, long long length);

/// sync_file_range(fd, offset, length, WRITE): starts writeback of the range without waiting.
int coach_start_write_back(int fd, long long offset, long long length);

/// ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE): the calling thread's I/O gets the idle
/// class, served only when no other class has I/O queued (CFQ, BFQ and, since Linux 5.14,
/// mq-deadline honour classes). RocksDB does this for its compaction threads. 0 or -1/errno.
int coach_set_idle_io_priority(void);

/// 1 if this CPU has a CRC-32C instruction this build can use (x86-64 SSE 4.2, found with
/// cpuid; arm64 built with the CRC extension), else 0.
int coach_crc32c_hardware_available(void);

/// The CRC-32C (Castagnoli) of `length` bytes at `data`, continuing from `crc` (0 to start), with
/// the CPU's instruction. Call only when coach_crc32c_hardware_available() returns 1.
uint32_t coach_crc32c_hardware(uint32_t crc, const void *data, size_t length);

#endif

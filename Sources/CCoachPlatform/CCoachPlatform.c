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

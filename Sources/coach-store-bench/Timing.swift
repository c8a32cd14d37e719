import Glibc

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Microseconds since `start` (a ``monotonicNanoseconds()`` reading).
func microseconds(since start: UInt64) -> Double {
    Double(monotonicNanoseconds() - start) / 1000
}

/// Runs `a` and `b` in alternating blocks (A, B, A, B…) so that whatever the machine does
/// meanwhile falls on both sides alike. Each block returns its samples; one unrecorded warm-up
/// block of each goes first when `warmUp` is set. The block's index is passed in.
func interleaved(
    blocks: Int, warmUp: Bool,
    _ a: (Int) async throws -> [Double], _ b: (Int) async throws -> [Double]
) async throws -> (a: Samples, b: Samples) {
    if warmUp {
        _ = try await a(-1)
        _ = try await b(-1)
    }
    var sa = Samples(), sb = Samples()
    for block in 0..<blocks {
        sa.values += try await a(block)
        sb.values += try await b(block)
    }
    return (sa, sb)
}

/// Runs `body` `count` times and returns each run's time in microseconds.
func timedRuns(_ count: Int, _ body: (Int) async throws -> Void) async rethrows -> [Double] {
    var times: [Double] = []
    times.reserveCapacity(count)
    for i in 0..<count {
        let start = monotonicNanoseconds()
        try await body(i)
        times.append(microseconds(since: start))
    }
    return times
}

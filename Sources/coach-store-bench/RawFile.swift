import Foundation
import Glibc
import Synchronization

/// The physical limit the store is held to: bytes appended to a file with the same system calls
/// a save makes (`pwrite` at the end, then `fdatasync`), and nothing else.
final class RawFile {
    let path: String
    private let fd: Int32
    private var length: Int64 = 0

    /// Creates (or empties) the file.
    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError.posix("open", path, errno) }
    }

    deinit { close(fd) }

    /// Appends `bytes`, then `fdatasync`s them when `sync` is set.
    func append(_ bytes: [UInt8], sync: Bool) throws {
        let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(length)) }
        guard written == bytes.count else { throw BenchError.posix("write", path, errno) }
        length += Int64(written)
        if sync, fdatasync(fd) != 0 { throw BenchError.posix("fdatasync", path, errno) }
    }
}

/// One thread per file, each appending `bytes` `appends` times with `fdatasync` to its own file:
/// the physical limit for parallel durable saves. Returns the wall time in µs.
func rawParallelAppends(files: [RawFile], bytes: [UInt8], appends: Int) throws -> Double {
    let failures = FailureList()
    let done = DispatchGroup()
    let start = monotonicNanoseconds()
    for file in files {
        done.enter()
        let handOff = UnsafeTransfer(file)
        Thread.detachNewThread {
            do {
                for _ in 0..<appends { try handOff.value.append(bytes, sync: true) }
            } catch {
                failures.add("\(error)")
            }
            done.leave()
        }
    }
    done.wait()
    let elapsed = microseconds(since: start)
    if let failure = failures.first { throw BenchError(failure) }
    return elapsed
}

/// Set once by one thread when its work is done, read by another.
final class DoneFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// Errors collected from several threads.
final class FailureList: Sendable {
    private let list = Mutex<[String]>([])
    func add(_ failure: String) { list.withLock { $0.append(failure) } }
    var first: String? { list.withLock { $0.first } }
}

/// Hands a value to exactly one other thread, which alone uses it from then on.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

import Glibc

/// The real ``FileSystem``: thin wrappers over POSIX calls, errors returned as values.
struct PosixFileSystem: FileSystem {
    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    func readFile(_ path: String) throws(FileSystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw FileSystemError(operation: "open", path: path, errno: errno)
        }
        defer { _ = Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(operation: "stat", path: path, errno: errno) }
        // One byte more than the size, so reaching the end does not regrow (and copy) the buffer.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var done = 0
        while true {
            if done == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: 65_536)) }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        bytes.removeLast(bytes.count - done)
        return bytes
    }

    func listDirectory(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(path) else { throw FileSystemError(operation: "list", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    func makeDirectory(_ path: String) throws(FileSystemError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST, isDirectory(path) { return false }
        throw FileSystemError(operation: "create directory", path: path, errno: errno)
    }

    func openFile(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any OpenFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "open", path: path, errno: errno) }
        return PosixOpenFile(fd: fd, path: path)
    }

    func rename(_ source: String, to destination: String) throws(FileSystemError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw FileSystemError(operation: "rename to \(destination)", path: source, errno: errno)
        }
    }

    func removeFile(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FileSystemError(operation: "remove", path: path, errno: errno)
        }
    }

    func removeDirectory(_ path: String) throws(FileSystemError) {
        guard rmdir(path) == 0 || errno == ENOENT else {
            throw FileSystemError(operation: "remove directory", path: path, errno: errno)
        }
    }

    func syncDirectory(_ path: String) throws(FileSystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(operation: "open directory", path: path, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(operation: "sync directory", path: path, errno: errno) }
    }

    func lockExclusively(_ path: String) throws(FileSystemError) -> (any OpenFile)? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(operation: "open lock file", path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return PosixOpenFile(fd: fd, path: path) }
        let code = errno
        _ = Glibc.close(fd)
        if code == EWOULDBLOCK { return nil }
        throw FileSystemError(operation: "lock", path: path, errno: code)
    }
}

/// A file descriptor open for writing. Not synchronized: the store serializes its use per file.
final class PosixOpenFile: OpenFile, @unchecked Sendable {
    let path: String
    private var fd: Int32

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    func write(_ bytes: [UInt8], at offset: Int64) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    func read(at offset: Int64, count: Int) throws(FileSystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError(operation: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        bytes.removeLast(count - done)
        return bytes
    }

    func size() throws(FileSystemError) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileSystemError(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    func sync(dataOnly: Bool) throws(FileSystemError) {
        guard (dataOnly ? fdatasync(fd) : fsync(fd)) == 0 else {
            throw FileSystemError(operation: "sync", path: path, errno: errno)
        }
    }

    func truncate(to length: Int64) throws(FileSystemError) {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw FileSystemError(operation: "truncate", path: path, errno: errno)
        }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }
}

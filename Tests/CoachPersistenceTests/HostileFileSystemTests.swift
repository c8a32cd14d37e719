import CoachTestSupport
import Foundation
import Testing

@testable import CoachPersistence

/// What the store does when the file system holds what it never writes itself: symlinks,
/// FIFOs, devices, a deleted lock file, a failing `stat` (issue 15 findings 2, 3, 6 and 8).
/// Every test checks that nothing outside the store's root changed, byte for byte.
@Suite("hostile file-system state")
struct HostileFileSystemTests {
    /// A store at `<parent>/store` and a folder `<parent>/outside` with a few files in it.
    struct Setup {
        let parent = TemporaryDirectory("hostile")
        var root: URL { parent.url.appendingPathComponent("store") }
        var outside: URL { parent.url.appendingPathComponent("outside") }
        var rootPath: String { root.standardizedFileURL.path }
        func user(_ folder: String) -> String { root.appendingPathComponent("users/\(folder)").path }

        init() throws {
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try Data("precious\n".utf8).write(to: outside.appendingPathComponent("journal.jsonl"))
            try Data("{\"keep\": true}\n".utf8).write(to: outside.appendingPathComponent("snapshot.json"))
            try Data("notes".utf8).write(to: outside.appendingPathComponent("notes.txt"))
        }

        /// Saves one user so the store has a `users/` folder, then closes it.
        func makeStore() async throws {
            let store = try FileStateStore(directory: root, options: fastOptions())
            try await store.saveContext(sampleContext("ana", messages: 2))
            try await store.close()
        }
    }

    @Test("a user folder that is a symlink to an outside folder: delete refuses, and nothing outside changes")
    func symlinkedUserFolder() async throws {
        let setup = try Setup()
        try await setup.makeStore()
        try FileManager.default.createSymbolicLink(atPath: setup.user("mallory"), withDestinationPath: setup.outside.path)
        let before = try treeContents(setup.outside)

        let store = try FileStateStore(directory: setup.root, options: fastOptions())
        let deleteError = await #expect(throws: StateStoreError.self) { try await store.deleteContext(userID: "mallory") }
        #expect(Self.namesLink(deleteError, folder: "mallory"), "\(String(describing: deleteError))")
        await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: "mallory") }
        await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("mallory", messages: 1)) }
        _ = try? await store.userIDs()
        _ = try? await store.userIDs()
        try await store.close()
        #expect(try treeContents(setup.outside) == before)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: setup.user("mallory")) == setup.outside.path)
    }

    @Test("a .trash entry that is a symlink: listing does not delete what it points at")
    func symlinkedTrash() async throws {
        let setup = try Setup()
        try await setup.makeStore()
        try FileManager.default.createSymbolicLink(atPath: setup.user(".trash-bob"), withDestinationPath: setup.outside.path)
        let before = try treeContents(setup.outside)
        let store = try FileStateStore(directory: setup.root, options: fastOptions())
        #expect(try await store.userIDs() == ["ana"])
        try await store.close()
        #expect(try treeContents(setup.outside) == before)
    }

    @Test("a journal.jsonl that is a symlink to an outside file: load refuses, never truncates it", arguments: [false, true])
    func symlinkedJournal(readOnly: Bool) async throws {
        let setup = try Setup()
        try await setup.makeStore()
        let journal = setup.user("ana") + "/journal.jsonl"
        try FileManager.default.removeItem(atPath: journal)
        try FileManager.default.createSymbolicLink(atPath: journal, withDestinationPath: setup.outside.path + "/journal.jsonl")
        let before = try treeContents(setup.outside)
        let store = try FileStateStore(directory: setup.root, options: fastOptions(readOnly: readOnly))
        let error = await #expect(throws: StateStoreError.self) { try await store.loadContext(userID: "ana") }
        #expect(Self.namesLink(error, folder: "ana/journal.jsonl"), "\(String(describing: error))")
        if !readOnly {
            await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("ana", messages: 3)) }
        }
        try await store.close()
        #expect(try treeContents(setup.outside) == before)
    }

    @Test("a FIFO as a user's file: load fails promptly with a typed error, read-only too",
          arguments: ["journal.jsonl", "snapshot.json"], [false, true])
    func fifo(file: String, readOnly: Bool) async throws {
        let setup = try Setup()
        try await setup.makeStore()
        let path = setup.user("ana") + "/" + file
        try? FileManager.default.removeItem(atPath: path)
        #expect(mkfifo(path, 0o644) == 0)
        let store = try FileStateStore(directory: setup.root, options: fastOptions(readOnly: readOnly))
        // A load blocked in open(2) would hang the suite: after 20 s a watchdog thread opens the
        // FIFO's other end (again and again), so a hang turns into a failed expectation.
        let watchdog = FIFOWatchdog(path: path, after: 20)
        let text: String
        do {
            _ = try await store.loadContext(userID: "ana")
            text = "loaded"
        } catch let error as StateStoreError {
            text = error.description
        }
        #expect(!watchdog.stop(), "the load of a FIFO \(file) blocked until the watchdog opened its other end")
        #expect(text.contains(file) && text.contains("FIFO"), "\(text)")
        try await store.close()
    }

    #if os(Linux)
    @Test("a character device as journal.jsonl is refused, not read without end")
    func characterDevice() async throws {
        let setup = try Setup()
        try await setup.makeStore()
        let path = setup.user("ana") + "/journal.jsonl"
        try FileManager.default.removeItem(atPath: path)
        // /dev/zero's device number on Linux, major 1 minor 5 (mknod needs root; skipped otherwise).
        guard mknod(path, S_IFCHR | 0o644, dev_t(0x105)) == 0 else { return }
        let store = try FileStateStore(directory: setup.root, options: fastOptions(readOnly: true))
        // On the old code this read /dev/zero until the process ran out of memory.
        let text: String
        do {
            _ = try await store.loadContext(userID: "ana")
            text = "loaded"
        } catch let error as StateStoreError {
            text = error.description
        }
        #expect(text.contains("journal.jsonl") && text.contains("device"), "\(text)")
        try await store.close()
    }
    #endif

    @Test("a users/ folder that is a symlink is refused, and nothing outside changes")
    func symlinkedUsersFolder() async throws {
        let setup = try Setup()
        try await setup.makeStore()
        try FileManager.default.removeItem(atPath: setup.root.appendingPathComponent("users").path)
        try FileManager.default.createSymbolicLink(
            atPath: setup.root.appendingPathComponent("users").path, withDestinationPath: setup.outside.path)
        let before = try treeContents(setup.outside)
        do {
            let store = try FileStateStore(directory: setup.root, options: fastOptions())
            await #expect(throws: StateStoreError.self) { try await store.saveContext(sampleContext("zoe", messages: 1)) }
            await #expect(throws: StateStoreError.self) { try await store.userIDs() }
            try await store.close()
        } catch let error as StateStoreError {
            #expect(error.description.contains("users"), "\(error)")
        }
        #expect(try treeContents(setup.outside) == before)
    }

    @Test("deleting store.lock under a live writer does not let a second writer in")
    func deletedLockFile() async throws {
        let setup = try Setup()
        let first = try FileStateStore(directory: setup.root, options: fastOptions())
        try await first.saveContext(sampleContext("ana", messages: 1))
        try? FileManager.default.removeItem(atPath: setup.root.appendingPathComponent("store.lock").path)
        #expect(throws: StateStoreError.locked(directory: setup.rootPath)) {
            try FileStateStore(directory: setup.root, options: fastOptions())
        }
        try await first.close()
        let second = try FileStateStore(directory: setup.root, options: fastOptions())
        try await second.close()
    }

    @Test("a writer in another process holding a flock on the root directory is refused")
    func directoryLockAcrossProcesses() async throws {
        let setup = try Setup()
        try await setup.makeStore()
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = ["--exclusive", setup.rootPath, "--command", "echo locked; sleep 30"]
        let pipe = Pipe()
        holder.standardOutput = pipe
        try holder.run()
        defer { holder.terminate() }
        _ = pipe.fileHandleForReading.availableData
        #expect(throws: StateStoreError.locked(directory: setup.rootPath)) {
            try FileStateStore(directory: setup.root, options: fastOptions())
        }
    }

    @Test("a writable open of a copied fixture creates no file")
    func writableOpenOfFixtureAddsNoFile() async throws {
        let copy = try copyFixture("recovery/torn-tail")
        let before = Set(try treeContents(copy).keys)
        let store = try FileStateStore(directory: copy, options: fastOptions())
        try await store.close()
        #expect(Set(try treeContents(copy).keys).subtracting(before).isEmpty)
    }

    // MARK: Helpers

    /// Whether `error` is an I/O error naming `folder` and saying it is a symbolic link.
    static func namesLink(_ error: StateStoreError?, folder: String) -> Bool {
        guard let error else { return false }
        let text = error.description
        return text.contains(folder) && text.contains("symbolic link")
    }
}

/// A thread that, once `after` seconds have passed, keeps opening the write end of a FIFO
/// (and closing it) so that a reader blocked in `open(2)` on it returns, until stopped.
private final class FIFOWatchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var fired = false

    init(path: String, after seconds: Double) {
        let thread = Thread { [self] in
            let deadline = Date().addingTimeInterval(seconds)
            while !lock.withLock({ stopped }) {
                if Date() >= deadline {
                    lock.withLock { fired = true }
                    let fd = open(path, O_WRONLY | O_NONBLOCK)
                    if fd >= 0 { close(fd) }
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.start()
    }

    /// Stops the thread; whether it had to unblock anything.
    func stop() -> Bool {
        lock.withLock {
            stopped = true
            return fired
        }
    }
}

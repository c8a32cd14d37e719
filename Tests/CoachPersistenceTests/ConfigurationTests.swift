import Foundation
import Testing
@testable import CoachPersistence
import CoachTestSupport

/// `StateStoreConfiguration`: the one string a deployment chooses its store with.
@Suite("Store configuration strings")
struct ConfigurationTests {
    @Test("memory: selects the in-memory store", arguments: ["memory:", "memory://", "  memory:  "])
    func memory(_ text: String) throws {
        #expect(try StateStoreConfiguration(parsing: text) == .memory)
    }

    @Test(
        "file URLs and plain absolute paths select a file store there, with default options",
        arguments: [
            ("file:///var/lib/coach", "/var/lib/coach"), ("file://localhost/var/lib/coach", "/var/lib/coach"),
            ("file:/var/lib/coach", "/var/lib/coach"), ("file:///var/lib/my%20store", "/var/lib/my store"),
            ("/var/lib/coach", "/var/lib/coach"), ("  /var/lib/coach ", "/var/lib/coach"),
        ])
    func fileStore(_ text: String, _ path: String) throws {
        let (directory, options) = try #require(try fileConfiguration(text))
        #expect(directory.standardizedFileURL.path == path)
        #expect(options == FileStateStore.Options())
    }

    @Test("relative paths resolve against the current directory", arguments: ["./coach-data", "coach-data"])
    func relativePath(_ text: String) throws {
        let (directory, _) = try #require(try fileConfiguration(text))
        let cwd = FileManager.default.currentDirectoryPath
        #expect(directory.standardizedFileURL.path == URL(fileURLWithPath: cwd).appendingPathComponent("coach-data").standardizedFileURL.path)
    }

    @Test("query options of file URLs set the store's options")
    func options() throws {
        let (_, batched) = try #require(try fileConfiguration("file:///var/lib/coach?durability=batched&readOnly=true"))
        #expect(batched == FileStateStore.Options(readOnly: true, durability: .batched(interval: .seconds(1))))

        let (_, every) = try #require(
            try fileConfiguration(
                "file:///x?durability=unsynced&readOnly=false&compactionThresholdBytes=4096&compactionThresholdRecords=10&cachedUserLimit=5"))
        #expect(
            every
                == FileStateStore.Options(
                    durability: .unsynced, compactionThresholdBytes: 4096, compactionThresholdRecords: 10, cachedUserLimit: 5))
        #expect(try fileConfiguration("file:///x?durability=durable")?.options.durability == .durable)

        let (_, rest) = try #require(
            try fileConfiguration(
                "file:///x?automaticCompaction=false&maxOpenFiles=16&compactionWriteRate=33554432&appleSyncMethod=barrier"))
        #expect(
            rest
                == FileStateStore.Options(
                    automaticCompaction: false, maxOpenFiles: 16, appleSyncMethod: .barrier, compactionWriteRate: 32 << 20))
        #expect(try fileConfiguration("file:///x?appleSyncMethod=fullSync")?.options.appleSyncMethod == .fullSync)
        #expect(try fileConfiguration("file:///x?automaticCompaction=true")?.options.automaticCompaction == true)
    }

    @Test("every option a file store has can be set from the string")
    func everyOptionHasAKey() throws {
        // Mirror lists the stored properties of Options: a new one fails here until the
        // configuration string can set it.
        let properties = Mirror(reflecting: FileStateStore.Options()).children.compactMap(\.label)
        #expect(Set(properties) == Set(StateStoreConfiguration.optionKeys))
        // Each key, given a value other than the default, changes its own property and no other.
        let nonDefault = [
            "readOnly": "true", "durability": "unsynced", "compactionThresholdBytes": "4096",
            "compactionThresholdRecords": "10", "automaticCompaction": "false", "cachedUserLimit": "5",
            "maxOpenFiles": "16", "appleSyncMethod": "barrier", "compactionWriteRate": "1048576",
        ]
        #expect(Set(nonDefault.keys) == Set(StateStoreConfiguration.optionKeys))
        let defaults = Self.fields(FileStateStore.Options())
        for (key, value) in nonDefault {
            let options = try #require(try fileConfiguration("file:///x?\(key)=\(value)")).options
            let changed = Self.fields(options).filter { defaults[$0.key] != $0.value }.keys
            #expect(Array(changed) == [key], "\(key)=\(value)")
        }
    }

    /// Each stored property of `options`, described.
    private static func fields(_ options: FileStateStore.Options) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Mirror(reflecting: options).children.map { ($0.label!, "\($0.value)") })
    }

    @Test(
        "malformed strings are refused with a reason that says what is wrong",
        arguments: [
            ("", "empty"), ("   ", "empty"),
            ("memory:x", "takes nothing after the colon"), ("memory:/var/lib", "takes nothing after the colon"),
            ("ftp://host/x", "scheme 'ftp' is not supported"), ("https://example.com/store", "scheme 'https' is not supported"),
            ("file://otherhost/x", "not the host 'otherhost'"), ("file:relative/path", "must be absolute"),
            ("file:///x?colour=blue", "unknown option 'colour'"),
            ("file:///x?durability=fast", "durability must be durable, batched or unsynced, not 'fast'"),
            ("file:///x?readOnly=yes", "readOnly must be true or false, not 'yes'"),
            ("file:///x?readOnly", "readOnly must be true or false, not ''"),
            ("file:///x?compactionThresholdBytes=0", "compactionThresholdBytes must be a positive whole number, not '0'"),
            ("file:///x?compactionThresholdRecords=-5", "compactionThresholdRecords must be a positive whole number"),
            ("file:///x?cachedUserLimit=many", "cachedUserLimit must be a positive whole number, not 'many'"),
            ("file:///x?compactionThresholdBytes=1.5", "compactionThresholdBytes must be a positive whole number"),
            ("file:///x?automaticCompaction=no", "automaticCompaction must be true or false, not 'no'"),
            ("file:///x?maxOpenFiles=0", "maxOpenFiles must be a positive whole number, not '0'"),
            ("file:///x?compactionWriteRate=fast", "compactionWriteRate must be a positive whole number, not 'fast'"),
            ("file:///x?appleSyncMethod=fsync", "appleSyncMethod must be fullSync or barrier, not 'fsync'"),
            ("file:///x?colour=blue", "known: readOnly, durability, compactionThresholdBytes, compactionThresholdRecords, "
                + "automaticCompaction, cachedUserLimit, maxOpenFiles, appleSyncMethod, compactionWriteRate"),
        ])
    func malformed(_ text: String, _ reasonFragment: String) {
        #expect {
            try StateStoreConfiguration(parsing: text)
        } throws: { error in
            guard case .invalidConfiguration(let quoted, let reason) = error as? StateStoreError else { return false }
            return quoted == text && reason.contains(reasonFragment)
                && "\(error)".hasPrefix("The store configuration '") && "\(error)".hasSuffix(".")
        }
    }

    @Test("scheme names are case-insensitive, as in RFC 3986")
    func schemeCase() throws {
        #expect(try fileConfiguration("FILE:///var/lib/coach")?.directory.path == "/var/lib/coach")
        #expect(try StateStoreConfiguration(parsing: "MEMORY:") == .memory)
    }

    @Test("makeStore() opens an in-memory store for memory:")
    func makeMemoryStore() async throws {
        let store = try StateStoreConfiguration(parsing: "memory:").makeStore()
        #expect(store is InMemoryStateStore)
        try await store.saveContext(sampleContext("u", messages: 2))
        #expect(try await store.loadContext(userID: "u") == sampleContext("u", messages: 2))
    }

    @Test("makeStore() opens a working file store with the configured options", arguments: [false, true])
    func makeFileStore(asURL: Bool) async throws {
        let directory = TemporaryDirectory("configuration")
        defer { directory.remove() }
        let root = directory.path("store")
        let text = asURL ? "file://\(root)?durability=unsynced&cachedUserLimit=7" : root
        let store = try StateStoreConfiguration(parsing: text).makeStore()
        let fileStore = try #require(store as? FileStateStore)
        #expect(fileStore.directory.path == root)
        #expect(fileStore.options.cachedUserLimit == (asURL ? 7 : 1000))
        try await store.saveContext(sampleContext("u", messages: 2))
        #expect(try await store.loadContext(userID: "u") == sampleContext("u", messages: 2))
        #expect(FileManager.default.fileExists(atPath: root + "/store.json"))
        try await fileStore.close()
    }

    @Test("makeStore() honours readOnly: the store loads but refuses to save")
    func makeReadOnlyStore() async throws {
        let directory = TemporaryDirectory("configuration")
        defer { directory.remove() }
        let writer = try FileStateStore(directory: directory.url, options: fastOptions())
        try await writer.saveContext(sampleContext("u", messages: 1))
        try await writer.close()

        let store = try StateStoreConfiguration(parsing: "file://\(directory.url.path)?readOnly=true").makeStore()
        #expect(try await store.loadContext(userID: "u") == sampleContext("u", messages: 1))
        await #expect(throws: StateStoreError.readOnly(directory: directory.url.standardizedFileURL.path)) {
            try await store.saveContext(CoachContext(userID: "v"))
        }
        try await #require(store as? FileStateStore).close()
    }

    @Test("makeStore() for a read-only store that does not exist throws notAStore")
    func makeMissingReadOnlyStore() throws {
        let directory = TemporaryDirectory("configuration")
        defer { directory.remove() }
        #expect {
            try StateStoreConfiguration(parsing: "file://\(directory.path("missing"))?readOnly=true").makeStore()
        } throws: { error in
            if case .notAStore = error as? StateStoreError { return true }
            return false
        }
    }
}

/// The directory and options of a configuration, or `nil` if it is not a file store.
private func fileConfiguration(_ text: String) throws -> (directory: URL, options: FileStateStore.Options)? {
    guard case .file(let directory, let options) = try StateStoreConfiguration(parsing: text) else { return nil }
    return (directory, options)
}

import Foundation

extension FileStateStore {
    /// Opens a copy of the store at `fixture` (a test fixture checked into git, say) for writing,
    /// so that a test can save, compact and delete without ever changing the fixture.
    ///
    /// The copy is made in a new folder of its own under the temporary directory
    /// (`coach-persistence-fixture-XXXXXX`); the returned store's ``directory`` is that folder.
    /// Only regular files and folders are copied, byte for byte: symbolic links and special files
    /// are skipped, never followed, so nothing outside `fixture` is read. `store.lock` is not
    /// copied (the copy gets its own). The fixture itself is only read.
    ///
    /// The copy belongs to the caller: close the store, then remove ``directory``, or use
    /// ``withCopy(of:options:_:)``, which does both.
    ///
    /// ```swift
    /// let store = try FileStateStore.openCopy(of: fixtureURL)
    /// defer { try? FileManager.default.removeItem(at: store.directory) }
    /// ```
    ///
    /// - Throws: ``StateStoreError/notAStore(directory:reason:)`` if `fixture` is not a store,
    ///   ``StateStoreError/io(operation:path:errno:reason:)`` if the copy fails (nothing is left
    ///   behind then), or what opening the copy throws.
    public static func openCopy(of fixture: URL, options: Options = Options()) throws -> FileStateStore {
        // Read-only first: the fixture must be a store, and a mistyped path must not be copied.
        let source = try StoreInspector(directory: fixture)
        let copy = try FixtureCopy.makeTemporaryFolder()
        do {
            try FixtureCopy.copyTree(from: StoreInspector.rootPath(source.directory), to: copy.path)
            return try FileStateStore(directory: copy, options: options)
        } catch {
            try? FileManager.default.removeItem(at: copy)
            throw error
        }
    }

    /// Runs `body` with a writable copy of the store at `fixture` (see
    /// ``openCopy(of:options:)``), then closes the store and removes the copy, also when `body`
    /// throws.
    public static func withCopy<Result: Sendable>(
        of fixture: URL, options: Options = Options(), _ body: (FileStateStore) async throws -> Result
    ) async throws -> Result {
        let store = try openCopy(of: fixture, options: options)
        defer { try? FileManager.default.removeItem(at: store.directory) }
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}

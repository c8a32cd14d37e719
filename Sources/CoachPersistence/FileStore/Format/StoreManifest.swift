import Foundation

/// `store.json`: names the format and its version, so that no code ever guesses at files it
/// does not understand.
struct StoreManifest: Codable, Equatable, Sendable {
    /// Always ``formatName``.
    var format: String
    /// The version of the whole on-disk format: layout, snapshot and journal.
    var version: Int

    static let formatName = "coach-persistence"
    /// The version this code writes and the newest it reads. Version 2 added the
    /// `historyTruncated` event; this code reads version 1 stores unchanged.
    static let currentVersion = 2
    static let current = StoreManifest(format: formatName, version: currentVersion)

    /// The file's exact bytes: pretty-printed JSON with a final newline.
    func encoded() throws -> [UInt8] {
        Array(try JSONCoding.prettyEncoder().encode(self)) + [UInt8(ascii: "\n")]
    }

    /// Moves an older store to ``currentVersion`` before a writable store writes anything else:
    /// from then on its journals may hold events older code does not know, and older code
    /// must refuse the store (`unsupportedFormat`) rather than call those records corrupt. The
    /// new `store.json` replaces the old one atomically (temporary file, fsync, rename, fsync of
    /// the root). A current manifest is left as it is; read-only opens never call this.
    static func upgradeIfOlder(_ bytes: [UInt8], layout: StoreLayout, fileSystem fs: any FileSystem) throws {
        try validate(bytes, layout: layout)
        guard try JSONCoding.decoder().decode(StoreManifest.self, from: Data(bytes)).version < currentVersion else { return }
        try fs.replaceFileDurably(layout.manifest, with: try current.encoded(), temporaryPath: layout.temporary(for: layout.manifest))
    }

    /// Checks an existing manifest; throws if it is not a store, or is from a newer version.
    static func validate(_ bytes: [UInt8], layout: StoreLayout) throws(StateStoreError) {
        let manifest: StoreManifest
        do {
            manifest = try JSONCoding.decoder().decode(StoreManifest.self, from: Data(bytes))
        } catch {
            throw .notAStore(directory: layout.root, reason: "store.json cannot be read (\(JSONCoding.reason(error)))")
        }
        guard manifest.format == formatName else {
            throw .notAStore(directory: layout.root, reason: "store.json names the format '\(manifest.format)'")
        }
        guard manifest.version <= currentVersion else {
            throw .unsupportedFormat(file: layout.manifest, found: manifest.version, supported: currentVersion)
        }
    }
}

import Foundation

import CoachTestSupport
/// What a power cut does to the changes no sync made durable.
///
/// Directory entries are rolled back to the last `syncDirectory` of their directory, or (with
/// ``keepsSomeEntryChanges``) keep a random prefix of the changes since, as a metadata journal
/// would. File bytes are rolled back to the last `sync`, or keep part of what came after, as
/// ``UnsyncedData`` says.
struct PowerCut: Sendable, CustomStringConvertible {
    /// What becomes of file bytes written since the last sync.
    enum UnsyncedData: Sendable, CaseIterable {
        /// All lost.
        case lost
        /// The earlier changes kept, and a random prefix of the last write.
        case lastWritePartlyKept
        /// The earlier changes kept, and the last write torn: in random runs of 1 to 16 bytes,
        /// some new, some old, some garbage.
        case lastWriteTorn
        /// All lost, but the file keeps the size it grew to, filled with zeros (SQLite assumes
        /// this: the size reached the disk, the data did not).
        case grownSpaceZeroed
        /// The same, filled with garbage.
        case grownSpaceGarbage
    }

    var data: UnsyncedData
    var keepsSomeEntryChanges: Bool
    /// Seeds the random choices, so a failing case can be replayed.
    var seed: UInt64

    var description: String {
        "\(data)\(keepsSomeEntryChanges ? ", some unsynced entries kept" : ""), seed \(seed)"
    }

    /// Nothing unsynced survives.
    static let strict = PowerCut(data: .lost, keepsSomeEntryChanges: false, seed: 0)

    /// One cut of every kind, entries rolled back or partly kept in turn.
    static func variety(seed: UInt64) -> [PowerCut] {
        UnsyncedData.allCases.enumerated().flatMap { index, data in
            [false, true].map { keeps in
                PowerCut(data: data, keepsSomeEntryChanges: keeps, seed: seed &* 31 &+ UInt64(index * 2 + (keeps ? 1 : 0)))
            }
        }
    }
}

extension SimulatedDisk {
    /// The disk as the machine finds it after a power cut: only the inodes reachable through
    /// durable entries, each holding what `cut` leaves of it. Everything on it is durable.
    func afterPowerCut(_ cut: PowerCut) -> SimulatedDisk {
        var random = SeededRandom(seed: cut.seed)
        var result = SimulatedDisk()
        result.inodes = [:]
        result.nextInode = nextInode
        var pending = [Self.root]
        while let id = pending.popLast() {
            guard result.inodes[id] == nil, let inode = inodes[id] else { continue }
            var survivor = Inode(isDirectory: inode.isDirectory)
            if inode.isDirectory {
                var entries = inode.durableEntries
                if cut.keepsSomeEntryChanges {
                    let kept = Int.random(in: 0...inode.unsyncedEntries.count, using: &random)
                    for change in inode.unsyncedEntries.prefix(kept) { entries[change.name] = change.inode }
                }
                survivor.entries = entries
                survivor.durableEntries = entries
                pending += entries.values
            } else {
                survivor.data = Self.survivingBytes(of: inode, cut.data, &random)
                survivor.durableData = survivor.data
            }
            result.inodes[id] = survivor
        }
        return result
    }

    private static func survivingBytes(of inode: Inode, _ mode: PowerCut.UnsyncedData, _ random: inout SeededRandom) -> [UInt8] {
        var bytes = inode.durableData
        guard let last = inode.unsyncedData.last else { return bytes }
        switch mode {
        case .lost:
            break
        case .grownSpaceZeroed, .grownSpaceGarbage:
            let grown = inode.data.count - bytes.count
            if grown > 0 { bytes += mode == .grownSpaceZeroed ? [UInt8](repeating: 0, count: grown) : random.bytes(grown) }
        case .lastWritePartlyKept, .lastWriteTorn:
            for change in inode.unsyncedData.dropLast() { apply(change, to: &bytes) }
            switch last {
            case .truncate:
                if Bool.random(using: &random) { apply(last, to: &bytes) }
            case .write(let offset, let new):
                let landed = mode == .lastWriteTorn ? tear(new, over: bytes, at: offset, &random)
                    : Array(new.prefix(Int.random(in: 0...new.count, using: &random)))
                apply(.write(offset: offset, bytes: landed), to: &bytes)
            }
        }
        return bytes
    }

    /// What a torn write of `new` at `offset` leaves, run by run: the new bytes, the old ones
    /// (zeros past the old end), or garbage.
    private static func tear(_ new: [UInt8], over old: [UInt8], at offset: Int, _ random: inout SeededRandom) -> [UInt8] {
        var landed = new
        var start = 0
        while start < new.count {
            let end = min(new.count, start + Int.random(in: 1...16, using: &random))
            switch Int.random(in: 0..<3, using: &random) {
            case 0: break
            case 1: for i in start..<end { landed[i] = offset + i < old.count ? old[offset + i] : 0 }
            default: landed.replaceSubrange(start..<end, with: random.bytes(end - start))
            }
            start = end
        }
        return landed
    }
}

/// The 64-bit hash behind ``ContextRevision``: chained over a user's saved records, so that a
/// revision names the whole sequence of saves that produced a context, not only the last one.
///
/// Not cryptographic: it guards against lost updates by honest writers, where two different
/// histories meeting on one hash is a 2⁻⁶⁴ accident.
enum RevisionHash {
    /// The hash a user's chain starts from (before its first record).
    static let origin: UInt64 = 0x636F_6163_6872_6576  // "coachrev"

    /// SplitMix64's finalizer: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The hash after `previous` is followed by one record with these bytes (its line without
    /// the line ending). Eight bytes at a time, then the rest and the length.
    static func chain<Bytes: Collection<UInt8>>(_ previous: UInt64, _ bytes: Bytes) -> UInt64 {
        if let hash = bytes.withContiguousStorageIfAvailable({ chain(previous, buffer: UnsafeRawBufferPointer($0)) }) {
            return hash
        }
        return Array(bytes).withUnsafeBytes { chain(previous, buffer: $0) }
    }

    private static func chain(_ previous: UInt64, buffer: UnsafeRawBufferPointer) -> UInt64 {
        var h = mix(previous)
        var offset = 0
        while offset + 8 <= buffer.count {
            h = mix(h ^ UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        var tail: UInt64 = 0
        for index in offset..<buffer.count { tail = tail << 8 | UInt64(buffer[index]) }
        return mix(mix(h ^ tail) ^ UInt64(buffer.count))
    }
}

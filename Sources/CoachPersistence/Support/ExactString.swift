import Foundation

/// A string compared by its exact bytes.
///
/// Swift's `String ==` treats canonically equivalent strings as equal, so "café" written with a
/// precomposed é and with e + U+0301 would be one dictionary key. User ids are opaque and those
/// are two different users: every map keyed by user id uses this type instead of `String`.
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    // Both work on the contiguous UTF-8 of native strings (every id the store makes or reads):
    // one `memcmp` and one bulk hash per lookup instead of a loop over bytes, which the save
    // path pays several times per save (registry, watchers, compaction queue).

    static func == (lhs: Self, rhs: Self) -> Bool {
        guard lhs.value.utf8.count == rhs.value.utf8.count else { return false }
        return lhs.withUTF8 { a in rhs.withUTF8 { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    func hash(into hasher: inout Hasher) {
        withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// The string's UTF-8 bytes, without a copy when it is native (a bridged or lazily decoded
    /// string is copied once).
    private func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = value.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = value
        return copy.withUTF8(body)
    }
}

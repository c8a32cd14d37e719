/// A string compared by its exact bytes.
///
/// Swift's `String ==` treats canonically equivalent strings as equal, so "café" written with a
/// precomposed é and with e + U+0301 would be one dictionary key. User ids are opaque and those
/// are two different users: every map keyed by user id uses this type instead of `String`.
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.value.utf8.elementsEqual(rhs.value.utf8) }

    func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
    }
}

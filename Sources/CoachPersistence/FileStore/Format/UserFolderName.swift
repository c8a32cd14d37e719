/// The mapping from a user id to the name of its folder under `users/`.
///
/// Names are plain ASCII in lower case, so they survive case-insensitive file systems, Unicode
/// normalization (macOS) and git: bytes `a-z 0-9 - _` stand for themselves, an upper-case letter
/// is `^` and its lower-case form, `.` is kept except at the start, and every other UTF-8 byte is
/// `%` and two lower-case hex digits. `user-123` stays `user-123`; `Ann` is `^ann`; `../x` is
/// `%2e.%2fx`. The mapping is injective and reversible.
///
/// Names longer than ``maximumSpelledLength`` bytes keep a prefix of the spelled form, then `~`
/// and 32 hex digits of the SHA-256 of the id. Such names cannot be reversed, so the store reads
/// the id from inside the folder; SHA-256 keeps two ids from colliding even on purpose.
enum UserFolderName {
    /// Longest spelled-out name; well inside the 255-byte limit of common file systems.
    static let maximumSpelledLength = 200
    private static let hashedPrefixLength = 160

    /// The folder name for `userID`.
    static func encode(_ userID: String) -> String {
        let spelled = spell(userID)
        guard spelled.count > maximumSpelledLength else { return String(decoding: spelled, as: UTF8.self) }
        // Cut before an escape that would otherwise be split (`%` and `^` only ever start one).
        var cut = hashedPrefixLength
        if spelled[cut - 1] == UInt8(ascii: "%") || spelled[cut - 1] == UInt8(ascii: "^") {
            cut -= 1
        } else if spelled[cut - 2] == UInt8(ascii: "%") {
            cut -= 2
        }
        let hash = SHA256.digest(Array(userID.utf8)).prefix(16).flatMap { hexDigits($0) }
        return String(decoding: spelled[..<cut] + [UInt8(ascii: "~")] + hash, as: UTF8.self)
    }

    /// The user id a folder name spells, or `nil` if the name is hashed (read the id from the
    /// folder's files) or is not a name ``encode(_:)`` makes.
    static func decode(_ name: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(name.utf8).makeIterator()
        while let b = iterator.next() {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"):
                bytes.append(b)
            case UInt8(ascii: "."):
                guard !bytes.isEmpty else { return nil }
                bytes.append(b)
            case UInt8(ascii: "^"):
                guard let c = iterator.next(), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) else { return nil }
                bytes.append(c - 32)
            case UInt8(ascii: "%"):
                guard let h = iterator.next(), let l = iterator.next(), let v = hexValue(h, l),
                    !isLiteral(v, first: bytes.isEmpty), !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(v)
                else { return nil }
                bytes.append(v)
            default:
                return nil
            }
        }
        guard !bytes.isEmpty, let id = String(validating: bytes, as: UTF8.self) else { return nil }
        return id
    }

    /// Whether `name` is a hashed name (see ``encode(_:)``).
    static func isHashed(_ name: String) -> Bool { name.contains("~") }

    private static func spell(_ userID: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(userID.utf8.count)
        for b in userID.utf8 {
            if isLiteral(b, first: out.isEmpty) {
                out.append(b)
            } else if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b) {
                out += [UInt8(ascii: "^"), b + 32]
            } else {
                out += [UInt8(ascii: "%")] + hexDigits(b)
            }
        }
        return out
    }

    private static func isLiteral(_ b: UInt8, first: Bool) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        case UInt8(ascii: "."):
            return !first
        default:
            return false
        }
    }

    private static func hexDigits(_ b: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [digits[Int(b >> 4)], digits[Int(b & 0xF)]]
    }

    private static func hexValue(_ h: UInt8, _ l: UInt8) -> UInt8? {
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - 87
            default: return nil
            }
        }
        guard let hi = nibble(h), let lo = nibble(l) else { return nil }
        return hi << 4 | lo
    }
}

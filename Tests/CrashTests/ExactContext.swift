import CoachPersistence
import Foundation

/// Whether two contexts are the same to the byte. `CoachContext ==` compares strings by
/// canonical equivalence, so a context of "café" (precomposed) equals one of "café" (e + U+0301);
/// tests about hostile ids and normalization twins need the stricter answer.
func exactlyEqual(_ a: CoachContext?, _ b: CoachContext?) -> Bool {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? encoder.encode(a)) == (try? encoder.encode(b))
}

/// Whether two lists of ids are the same to the byte, in order.
func exactlyEqual(_ a: [String], _ b: [String]) -> Bool {
    a.map { Array($0.utf8) } == b.map { Array($0.utf8) }
}

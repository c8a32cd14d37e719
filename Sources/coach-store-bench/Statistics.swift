/// A bag of measurements (microseconds, or whatever a scenario records) and its summaries.
struct Samples {
    var values: [Double] = []

    var count: Int { values.count }

    /// The middle value (mean of the two middle ones for an even count); 0 when empty.
    var median: Double { percentile(0.5) }

    /// The arithmetic mean; 0 when empty.
    var mean: Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    /// The `p`-quantile (0…1) by linear interpolation between the closest ranks; 0 when empty.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = p * Double(sorted.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, sorted.count - 1)
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - Double(low))
    }
}

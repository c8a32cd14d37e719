/// One operation waiting for a user's worker. Its work is called on the worker with the user's
/// lock held, in submission order; it stages what it writes in the batch and returns how to
/// finish, which the worker calls once the batch is on disk (with the batch's failure, if any).
///
/// The work is taken out when it runs, so the closure (and an update's body it captures) is
/// released before the operation is finished, however long copies of the request live on.
final class UserRequest: Sendable {
    typealias Work = @Sendable (inout UserSlot.Core, inout UserBatch) -> Finish
    typealias Finish = @Sendable (StateStoreError?) -> Void

    /// Whether the request must not share a batch with writes before it (a delete).
    let isBarrier: Bool
    private let work: Locked<Work?>

    init(isBarrier: Bool = false, _ work: @escaping Work) {
        self.isBarrier = isBarrier
        self.work = Locked(work)
    }

    /// Runs the work (once) and returns how to finish.
    func run(_ core: inout UserSlot.Core, _ batch: inout UserBatch) -> Finish {
        let work = self.work.withLock { work in
            defer { work = nil }
            return work!
        }
        return work(&core, &batch)
    }
}

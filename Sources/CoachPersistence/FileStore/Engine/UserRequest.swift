/// One operation waiting for a user's worker. Its work is called on the worker with the user's
/// lock held, in submission order; it stages what it writes in the batch and returns how to
/// finish, which the worker calls once the batch is on disk (with the batch's failure, if any).
///
/// A value, moved from the caller into the slot's inbox and from there to the one worker that
/// takes it (the inbox's lock orders the two), so it needs no lock or allocation of its own.
/// The worker runs it in place and ``run(_:_:)`` takes the work out, so the closure (and an
/// update's body it captures) is released before the operation is finished.
struct UserRequest: Sendable {
    typealias Work = @Sendable (inout UserSlot.Core, inout UserBatch) -> Finish
    typealias Finish = @Sendable (StateStoreError?) -> Void

    /// Whether the request must not share a batch with writes before it (a delete).
    let isBarrier: Bool
    private var work: Work?

    init(isBarrier: Bool = false, _ work: @escaping Work) {
        self.isBarrier = isBarrier
        self.work = work
    }

    /// Runs the work, leaving the request without it, and returns how to finish. A request runs once.
    mutating func run(_ core: inout UserSlot.Core, _ batch: inout UserBatch) -> Finish {
        guard let work = work.take() else { preconditionFailure("a user request ran twice") }
        return work(&core, &batch)
    }
}

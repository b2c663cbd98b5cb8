using Kinlet.Eventing.Delivery;
using Kinlet.Eventing.Metrics;
using Kinlet.Store.Events;
using Microsoft.Extensions.Logging;

namespace Kinlet.Eventing.Dispatcher;

/// <summary>
/// What happens after an event's last attempt: to the dead-letter sink with Knative's error extensions, or kept
/// as a failed record (Knative drops it; Kinlet keeps it for describe and redrive). Also lists and redrives them.
/// </summary>
internal sealed class DeliveryFailures(
    string key, IDeliveryStore store, EventSender sender, Checkpointer checkpoint, EventingOptions options, TimeProvider time,
    ILogger logger, TriggerSeries metrics)
{
    public async Task GiveUpAsync(TriggerSnapshot s, DeliveryRecord record, DeliveryResult result, bool wasRetrying, CancellationToken ct)
    {
        var error = $"{s.Subscriber?.Uri ?? "(no subscriber)"}: {result.Describe()} after {record.Attempts} attempt{(record.Attempts == 1 ? "" : "s")}";
        if (s.DeadLetterSink is { } dls)
        {
            var extensions = DeadLetter.Extensions(s.Subscriber?.Uri ?? "", result.Status, result.Body);
            var sent = await sender.SendWithRetriesAsync(dls, record.Attributes, record.Data, s.Namespace,
                s.Retry.Timeout ?? options.DeliveryTimeout, extensions, 3, TimeSpan.FromMilliseconds(200), time, ct).ConfigureAwait(false);
            if (sent.Success)
            {
                if (wasRetrying) await store.DeleteRecordAsync(key, record.Sequence, ct).ConfigureAwait(false);
                metrics.DeadLettered.Inc();
                checkpoint.DeadLettered(wasRetrying, error);
                DispatcherLog.DeadLettered(logger, s.Namespace, s.Name, record.Attributes.GetValueOrDefault("id"), dls.Uri, error);
                return;
            }
            error += $"; the dead-letter sink {dls.Uri} failed too: {sent.Describe()}";
        }
        await store.PutRecordAsync(record with { State = DeliveryRecordState.Failed, LastError = error, DueAt = time.GetUtcNow() }, ct).ConfigureAwait(false);
        metrics.Failed.Inc();
        checkpoint.Failed(wasRetrying, error);
        DispatcherLog.Failed(logger, s.Namespace, s.Name, record.Attributes.GetValueOrDefault("id"), error);
    }

    /// <summary>The events this trigger gave up on (no dead-letter sink, or it failed too), oldest first.</summary>
    public IReadOnlyList<DeliveryRecord> List(int max) => store.ListRecords(key, DeliveryRecordState.Failed, max);

    /// <summary>Every failed event back to retrying from its first attempt, each handed to <paramref name="requeue"/>; how many.</summary>
    public async Task<int> RedriveAsync(Action<DeliveryRecord> requeue, CancellationToken ct)
    {
        var failed = store.ListRecords(key, DeliveryRecordState.Failed, int.MaxValue);
        foreach (var record in failed)
        {
            var again = record with { State = DeliveryRecordState.Retrying, Attempts = 0, DueAt = time.GetUtcNow() };
            await store.PutRecordAsync(again, ct).ConfigureAwait(false);
            checkpoint.Redriven();
            requeue(again);
        }
        return failed.Count;
    }
}

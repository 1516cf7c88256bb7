package io.orderflow.view;

import io.nats.client.Message;
import io.orderflow.infra.JetStreamWorker;
import io.orderflow.infra.JetStreamWorker.Outcome;
import io.orderflow.order.OrderMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * stream-processor: keeps the read model from every order.> message, one transaction per
 * fetched batch. Each message carries the order's full state and its sequence number, so the
 * newest message wins whatever order they arrive in, and a redelivery changes nothing.
 */
public final class OrderViewUpdater {
  private final OrderViewRepository repository;

  public OrderViewUpdater(OrderViewRepository repository) {
    this.repository = repository;
  }

  public JetStreamWorker.BatchHandler handler() {
    return this::handle;
  }

  List<CompletionStage<Outcome>> handle(List<Message> batch) {
    List<OrderViewRepository.Update> updates = new ArrayList<>(batch.size());
    List<Outcome> poison = new ArrayList<>(batch.size()); // null: part of the transaction
    for (Message m : batch) {
      try {
        updates.add(new OrderViewRepository.Update(OrderMessages.state(m), OrderMessages.seqNr(m)));
        poison.add(null);
      } catch (OrderMessages.PoisonMessage e) {
        poison.add(new Outcome.Terminate(e.getMessage()));
      } catch (RuntimeException e) {
        poison.add(new Outcome.Terminate("malformed order message: " + e.getMessage()));
      }
    }
    // One transaction for the batch; if it fails, the worker retries each of its messages.
    CompletionStage<Outcome> committed = updates.isEmpty()
        ? CompletableFuture.completedFuture(Outcome.ACK)
        : repository.apply(updates).thenApply(v -> Outcome.ACK);
    return poison.stream()
        .map(p -> p == null ? committed : CompletableFuture.completedFuture(p))
        .toList();
  }
}

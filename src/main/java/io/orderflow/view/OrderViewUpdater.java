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

  CompletionStage<List<Outcome>> handle(List<Message> batch) {
    List<Outcome> outcomes = new ArrayList<>(batch.size());
    List<OrderViewRepository.Update> updates = new ArrayList<>(batch.size());
    for (Message m : batch) {
      try {
        updates.add(new OrderViewRepository.Update(OrderMessages.state(m), OrderMessages.seqNr(m)));
        outcomes.add(Outcome.ACK);
      } catch (OrderMessages.PoisonMessage e) {
        outcomes.add(new Outcome.Terminate(e.getMessage()));
      } catch (RuntimeException e) {
        outcomes.add(new Outcome.Terminate("malformed order message: " + e.getMessage()));
      }
    }
    if (updates.isEmpty()) return CompletableFuture.completedFuture(outcomes);
    // A failed transaction fails the batch: the worker retries every message of it.
    return repository.apply(updates).thenApply(v -> outcomes);
  }
}

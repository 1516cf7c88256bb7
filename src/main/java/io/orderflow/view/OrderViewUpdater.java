package io.orderflow.view;

import io.nats.client.Message;
import io.orderflow.eventstore.JournalEvent;
import io.orderflow.infra.Database;
import io.orderflow.worker.OrderMessage;
import io.orderflow.worker.Outcome;
import io.orderflow.worker.Worker;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * stream-processor: keeps the read model from every order.> message, one transaction per
 * fetched batch. Each message carries the order's full state and its sequence number, so the
 * newest message wins whatever order they arrive in, and a redelivery changes nothing.
 */
public final class OrderViewUpdater {
  /** Where the updates go: one transaction per call ({@link OrderViewRepository}). */
  @FunctionalInterface
  public interface Store {
    CompletionStage<Void> apply(Collection<OrderViewRepository.Update> updates);
  }

  private final Store repository;

  public OrderViewUpdater(Store repository) {
    this.repository = repository;
  }

  /** Consumer stream-processor on every order event. */
  public static final Worker WORKER = new Worker("stream-processor", JournalEvent.ORDER, "stream-processor",
      JournalEvent.ORDER + ".>", node -> new OrderViewUpdater(new OrderViewRepository(node.db())::apply)::handle);

  List<CompletionStage<Outcome>> handle(List<Message> batch) {
    List<OrderViewRepository.Update> updates = new ArrayList<>(batch.size());
    List<Outcome> poison = new ArrayList<>(batch.size()); // null: part of the transaction
    for (Message m : batch) {
      try {
        OrderMessage message = OrderMessage.read(m);
        updates.add(new OrderViewRepository.Update(message.order(), message.seqNr()));
        poison.add(null);
      } catch (OrderMessage.PoisonMessage e) {
        poison.add(new Outcome.Terminate(e.getMessage()));
      } catch (RuntimeException e) {
        poison.add(new Outcome.Terminate("malformed order message: " + e.getMessage()));
      }
    }
    List<CompletionStage<Outcome>> result = new ArrayList<>(batch.size());
    CompletionStage<List<Outcome>> applied = apply(updates);
    int u = 0;
    for (Outcome p : poison) {
      if (p != null) {
        result.add(CompletableFuture.completedFuture(p));
      } else {
        int index = u++;
        result.add(applied.thenApply(outcomes -> outcomes.get(index)));
      }
    }
    return result;
  }

  /**
   * One transaction for the batch. If the database refuses the data itself (SQLSTATE class 22 or
   * 23), each update is tried alone so that only the bad message is dead-lettered; any other
   * failure fails the batch, and the worker retries each of its messages.
   */
  private CompletionStage<List<Outcome>> apply(List<OrderViewRepository.Update> updates) {
    if (updates.isEmpty()) return CompletableFuture.completedFuture(List.of());
    return repository.apply(updates)
        .thenApply(v -> Collections.nCopies(updates.size(), Outcome.ACK))
        .exceptionallyCompose(err -> {
          if (!isDataError(err) || updates.size() == 1) {
            if (isDataError(err)) return CompletableFuture.completedFuture(List.of(refused(updates.get(0), err)));
            return CompletableFuture.failedFuture(err);
          }
          CompletionStage<List<Outcome>> one = CompletableFuture.completedFuture(new ArrayList<>());
          for (OrderViewRepository.Update update : updates) {
            one = one.thenCompose(list -> repository.apply(List.of(update))
                .handle((v, e) -> {
                  list.add(e == null ? Outcome.ACK
                      : isDataError(e) ? refused(update, e) : new Outcome.Retry(Database.rootMessage(e)));
                  return list;
                }));
          }
          return one;
        });
  }

  private static Outcome refused(OrderViewRepository.Update update, Throwable e) {
    return new Outcome.Terminate("order " + update.order().orderId() + ": the read model refuses it: "
        + Database.rootMessage(e));
  }

  private static boolean isDataError(Throwable e) {
    for (Throwable t : Database.causes(e)) {
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
        return true;
      }
    }
    return false;
  }
}

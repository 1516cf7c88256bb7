package io.orderflow.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nats.client.Message;
import io.orderflow.order.Order;
import io.orderflow.order.OrderItem;
import io.orderflow.testing.OrderMessages;
import io.orderflow.worker.Outcome;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The stream-processor's handler with a store in memory: batching, poison messages, refused rows, outages. */
class OrderViewUpdaterTest {
  /** Each call is one "transaction"; rows of orders named in {@code refuse} make it fail as the database would. */
  static final class FakeStore implements OrderViewUpdater.Store {
    final List<List<String>> transactions = new ArrayList<>();
    String refuse = "";
    boolean down;

    @Override
    public synchronized CompletionStage<Void> apply(Collection<OrderViewRepository.Update> updates) {
      if (down) return CompletableFuture.failedFuture(new SQLException("connection refused", "08001"));
      if (updates.stream().anyMatch(u -> u.order().orderId().equals(refuse))) {
        return CompletableFuture.failedFuture(new SQLException("invalid byte sequence", "22021"));
      }
      transactions.add(updates.stream().map(u -> u.order().orderId() + "@" + u.seqNr()).collect(Collectors.toList()));
      return CompletableFuture.completedFuture(null);
    }
  }

  static Message message(String id, long seqNr) {
    Order.State s = Order.State.empty(id).apply(new Order.OrderCreated(id, "c", "r",
        List.of(new OrderItem("A", "x", BigDecimal.ONE, 1)), BigDecimal.ONE, "USD", 1L));
    if (seqNr > 1) s = s.apply(new Order.PaymentDebited(id, "p"));
    return OrderMessages.of(seqNr > 1 ? Order.PaymentDebited.TYPE : Order.OrderCreated.TYPE, s, seqNr);
  }

  static List<Outcome> outcomes(List<CompletionStage<Outcome>> stages) {
    return stages.stream().map(s -> s.toCompletableFuture().join()).toList();
  }

  @Test
  void aBatchIsOneTransactionAndPoisonIsTerminatedAlone() {
    FakeStore store = new FakeStore();
    List<Outcome> out = outcomes(new OrderViewUpdater(store).handle(List.of(
        message("a", 1),
        OrderMessages.raw("order.created", "garbage".getBytes(StandardCharsets.UTF_8), 1),
        message("b", 1),
        message("a", 2))));
    assertEquals(Outcome.ACK, out.get(0));
    assertInstanceOf(Outcome.Terminate.class, out.get(1));
    assertEquals(List.of(Outcome.ACK, Outcome.ACK), out.subList(2, 4));
    assertEquals(1, store.transactions.size(), "one transaction for the batch");
    assertTrue(store.transactions.get(0).containsAll(List.of("a@2", "b@1")), store.transactions.toString());
  }

  @Test
  void aRowTheDatabaseRefusesIsDeadLetteredAndTheRestIsWritten() {
    FakeStore store = new FakeStore();
    store.refuse = "bad";
    List<Outcome> out = outcomes(new OrderViewUpdater(store).handle(List.of(message("x", 1), message("bad", 1),
        message("y", 1))));
    assertEquals(Outcome.ACK, out.get(0));
    assertTrue(assertInstanceOf(Outcome.Terminate.class, out.get(1)).reason().contains("read model refuses"));
    assertEquals(Outcome.ACK, out.get(2));
    assertEquals(List.of(List.of("x@1"), List.of("y@1")), store.transactions, "the good rows, one by one");
  }

  @Test
  void anUnavailableDatabaseFailsEveryMessageWhichTheWorkerRetries() {
    FakeStore store = new FakeStore();
    store.down = true;
    for (CompletionStage<Outcome> stage : new OrderViewUpdater(store).handle(List.of(message("x", 1), message("y", 1)))) {
      var failure = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
      assertEquals("08001", ((SQLException) failure.getCause()).getSQLState());
    }
    assertTrue(store.transactions.isEmpty());
  }
}

package io.orderflow.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nats.client.api.MessageInfo;
import io.orderflow.testing.Fixtures;
import io.orderflow.testing.Http;
import io.orderflow.testing.ReadModelCheck;
import io.orderflow.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the fast path off (PUBLISHER_FAST_PATH=off), the publisher's slices alone carry every order
 * event to the stream: each exactly once and in order, each hop waiting for the journal's head.
 */
class ProjectionOnlyIT {
  @RegisterExtension
  static final TestStack stack = new TestStack(Map.of("orderflow.publisher.fast-path", "off"));

  @Test
  void everyOrderEventReachesTheStreamOnceThroughTheSlices() throws Exception {
    Map<String, List<String>> expected = Map.of(
        post(Fixtures.approvable(null)), Fixtures.APPROVED_EVENTS,
        post(Fixtures.declinable(null)), Fixtures.DECLINED_EVENTS,
        post(Fixtures.rejectable(null)), Fixtures.REJECTED_EVENTS);
    for (var order : expected.entrySet()) {
      Fixtures.awaitFinal(stack.node().url(""), order.getKey(), Duration.ofSeconds(30));
    }
    List<MessageInfo> stream = stack.nats().messages("order");
    for (var order : expected.entrySet()) {
      List<String> ids = stream.stream()
          .filter(m -> m.getHeaders() != null && order.getKey().equals(m.getHeaders().getFirst("Aggregate-Id")))
          .map(m -> m.getSubject() + " " + m.getHeaders().getFirst("Seq-Nr")).toList();
      List<String> want = new ArrayList<>();
      for (int i = 0; i < order.getValue().size(); i++) want.add(order.getValue().get(i) + " " + (i + 1));
      assertEquals(want, ids, "the stream's messages of " + order.getKey());
    }
    ReadModelCheck.assertReadModelEqualsJournalReplay(stack.node().node.system(), stack.db());
  }

  private static String post(String body) throws Exception {
    Http.Reply r = Http.post(stack.node().url("/api/orders"), body);
    assertEquals(201, r.status(), r.body());
    return r.json().get("order_id").asText();
  }
}

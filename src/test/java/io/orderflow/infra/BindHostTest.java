package io.orderflow.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** BIND_HOST unset: loopback for a node alone on a machine, every interface for a node others reach. */
class BindHostTest {
  @Test
  void aNodeAtALoopbackAddressListensOnLoopbackOnly() {
    assertEquals("127.0.0.1", NodeConfig.bindHost("127.0.0.1"));
    assertEquals("127.0.0.1", NodeConfig.bindHost("localhost"));
    assertEquals("127.0.0.1", NodeConfig.bindHost("::1"));
  }

  @Test
  void aNodeOthersReachAtAnotherAddressListensOnEveryInterface() {
    assertEquals("0.0.0.0", NodeConfig.bindHost("10.244.1.17")); // a pod IP (PEKKO_HOST=$POD_IP)
    assertEquals("0.0.0.0", NodeConfig.bindHost("192.168.1.20"));
  }
}

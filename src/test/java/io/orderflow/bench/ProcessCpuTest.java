package io.orderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kernel's counters the bench reads, on this JVM and on a process that is not one. */
class ProcessCpuTest {

  @Test
  void aJvmsCompilerThreadsArePartOfItsCpu() throws Exception {
    ProcessCpu self = ProcessCpu.of(ProcessHandle.current().pid(), false);
    Map<Long, Long> none = Map.of();
    // Work the JIT compiles, until its threads have used at least one of the kernel's 10 ms ticks.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long sink = 0;
    while (ProcessCpu.compilerSeconds(none, self.compilerThreads()) == 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100_000; i++) sink += Integer.toString(i).hashCode();
    }
    double jit = ProcessCpu.compilerSeconds(none, self.compilerThreads());
    double all = self.seconds();
    assertTrue(jit > 0, "compiler threads' CPU: " + jit + " (" + sink + ")");
    assertTrue(jit <= all, "a part of the process's " + all + " s, was " + jit + " s");
  }

  @Test
  void aCompilerThreadThatEndedCountsForNothingRatherThanLessThanNothing() {
    // HotSpot ended thread 11 (it had used 300 ticks) and started thread 13 in between.
    Map<Long, Long> before = Map.of(10L, 500L, 11L, 300L);
    Map<Long, Long> after = Map.of(10L, 520L, 13L, 7L);
    assertEquals(0.27, ProcessCpu.compilerSeconds(before, after), 1e-9);
    assertTrue(Double.isNaN(ProcessCpu.compilerSeconds(null, after)));
  }

  @Test
  void aProcessWithoutCompilerThreadsHasNoneToCount() throws Exception {
    // exec: one process throughout (the same pid and counters), so that nothing outlives the test.
    Process busy = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 30").start();
    try {
      ProcessCpu sh = ProcessCpu.of(busy.pid(), false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (sh.seconds() < 0.05 && System.nanoTime() < deadline) Thread.sleep(20);
      assertTrue(sh.seconds() >= 0.05, "the shell used CPU: " + sh.seconds());
      assertEquals(Map.of(), sh.compilerThreads());
    } finally {
      busy.destroyForcibly().waitFor();
    }
  }

  @Test
  void aProcessThatIsGoneReadsAsUnknown() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();
    ProcessCpu gone = ProcessCpu.of(done.pid(), false);
    assertTrue(Double.isNaN(gone.seconds()));
    assertNull(gone.compilerThreads());
  }
}

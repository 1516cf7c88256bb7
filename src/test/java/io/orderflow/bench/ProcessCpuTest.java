package io.orderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The kernel's counters the bench reads, on this JVM and on a process that is not one. */
class ProcessCpuTest {

  @Test
  void aJvmsCompilerThreadsArePartOfItsCpu() throws Exception {
    ProcessCpu self = ProcessCpu.of(ProcessHandle.current().pid(), false);
    // Work the JIT compiles, until its threads have used at least one of the kernel's 10 ms ticks.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long sink = 0;
    while (self.compilerSeconds() == 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100_000; i++) sink += Integer.toString(i).hashCode();
    }
    double jit = self.compilerSeconds();
    double all = self.seconds();
    assertTrue(jit > 0, "compiler threads' CPU: " + jit + " (" + sink + ")");
    assertTrue(jit <= all, "a part of the process's " + all + " s, was " + jit + " s");
  }

  @Test
  void aProcessWithoutCompilerThreadsHasNoneToCount() throws Exception {
    Process busy = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 30").start();
    try {
      ProcessCpu sh = ProcessCpu.of(busy.pid(), false);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (sh.seconds() < 0.05 && System.nanoTime() < deadline) Thread.sleep(20);
      assertTrue(sh.seconds() >= 0.05, "the shell used CPU: " + sh.seconds());
      assertEquals(0.0, sh.compilerSeconds());
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
    assertTrue(Double.isNaN(gone.compilerSeconds()));
  }
}

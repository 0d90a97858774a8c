/** The heap a test's process holds once garbage is collected, to weigh what a cache keeps. */
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

export function heapUsedAfterCollection(): number {
  collectGarbage();
  collectGarbage();
  return v8.getHeapStatistics().used_heap_size;
}

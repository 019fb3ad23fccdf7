#include <caf/all.hpp>
#include <malloc.h>
#include <thread>
#include <cstdio>
using namespace caf;
behavior responder(event_based_actor*) { return {[](int x) { return x; }}; }
int main(int argc, char**) {
  actor_system_config cfg;
  actor_system sys{cfg};
  auto r = sys.spawn(responder);
  bool fresh = argc > 1;
  auto run = [&](scoped_actor& self) {
    self->request(r, std::chrono::milliseconds{2}, 1).receive([](int) {}, [](error&) {});
  };
  auto heap = [] { return mallinfo2().uordblks; };
  scoped_actor kept{sys};
  for (int i = 0; i < 2000; ++i) { if (fresh) { scoped_actor s{sys}; run(s); } else run(kept); }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto before = heap();
  for (int i = 0; i < 20000; ++i) { if (fresh) { scoped_actor s{sys}; run(s); } else run(kept); }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  printf("%s: heap %+ld bytes over 20000 requests\n", fresh ? "fresh scoped actor" : "one scoped actor",
         (long)heap() - (long)before);
  anon_send_exit(r, exit_reason::kill);
}

// The program in the example images: prints a greeting built from its
// arguments, its environment and its working directory, so a container run
// shows that Entrypoint, Cmd, Env and WorkingDir took effect.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  const char* greeting = getenv("GREETING");
  char cwd[4096];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) cwd[0] = '\0';
  printf("%s from imagewriter", greeting != nullptr ? greeting : "hello");
  for (int i = 1; i < argc; ++i) printf(" %s", argv[i]);
  printf(" (cwd %s)\n", cwd);
  return 0;
}

// Reads a data file through its runfiles tree, the way Bazel lays it out
// next to the binary, so running it in a container proves the runfiles
// made it into the layer.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  const std::string path =
      std::string(argv[0]) + ".runfiles/imagewriter/examples/runfiles/greeting.txt";
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::cout << text.str();
  return 0;
}

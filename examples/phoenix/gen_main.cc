// phoenix-gen: the small input generator. Writes a workload's inline input as JSON (the
// parameters to invoke its function with), deterministically from --size and --seed.
//   phoenix-gen <workload> [--size N] [--seed S] [--out FILE]
//   phoenix-gen --list
#include <charconv>
#include <fstream>
#include <iostream>
#include <string>

#include "workloads.h"

namespace {

int usage(std::ostream& os, int code) {
  os << "usage: phoenix-gen <workload> [--size N] [--seed S] [--out FILE]\n"
        "       phoenix-gen --list\nworkloads:";
  for (const auto& w : phoenix::allWorkloads()) os << " " << w.name;
  os << "\n";
  return code;
}

bool parseUint(const std::string& text, uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(std::cerr, 2);
  std::string name = argv[1];
  if (name == "--list") {
    for (const auto& w : phoenix::allWorkloads()) std::cout << w.name << "\t--size counts " << w.sizeMeaning << "\n";
    return 0;
  }
  if (name == "--help" || name == "-h") return usage(std::cout, 0);
  const phoenix::Workload* workload = phoenix::findWorkload(name);
  if (workload == nullptr) {
    std::cerr << "phoenix-gen: unknown workload '" << name << "'\n";
    return usage(std::cerr, 2);
  }
  uint64_t size = 1000, seed = 1;
  std::string outPath;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "phoenix-gen: flag '" << flag << "' needs a value\n";
      return 2;
    }
    std::string value = argv[++i];
    if ((flag == "--size" && parseUint(value, size)) || (flag == "--seed" && parseUint(value, seed))) {
      continue;
    }
    if (flag == "--out") {
      outPath = value;
      continue;
    }
    std::cerr << "phoenix-gen: bad flag or value '" << flag << " " << value << "'\n";
    return usage(std::cerr, 2);
  }
  std::string text = boost::json::serialize(workload->generateInput(size, seed)) + "\n";
  if (outPath.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(outPath, std::ios::binary);
  if (!(out << text)) {
    std::cerr << "phoenix-gen: cannot write '" << outPath << "'\n";
    return 1;
  }
  return 0;
}

// Test only: a fresh directory under /tmp, removed with everything in it when
// the object goes; put() writes a file below it, creating parent directories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "tee/file_io.h"

namespace clemmys::tee::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/clemmys-tee-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void put(const std::string& rel, const std::string& content) const {
    std::filesystem::create_directories(std::filesystem::path(path_ + "/" + rel).parent_path());
    ASSERT_TRUE(writeWholeFile(path_ + "/" + rel, content, "test"));
  }

 private:
  std::string path_;
};

}  // namespace clemmys::tee::testing

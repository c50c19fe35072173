#include "runtime/code_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/subprocess.h"
#include "runtime/loop_action.h"

namespace clemmys::runtime {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Packs `files` (name -> content) with `zip` or `tar` and returns the archive bytes.
std::string pack(const std::vector<std::pair<std::string, std::string>>& files,
                 const std::string& tool) {
  auto dir = TempDir::create();
  std::vector<std::string> argv;
  if (tool == "zip") argv = {*findExecutable("zip"), "-q", "-r", "out.archive"};
  else argv = {*findExecutable("tar"), tool == "tgz" ? "-czf" : "-cf", "out.archive"};
  for (const auto& [name, content] : files) {
    std::filesystem::create_directories(
        std::filesystem::path(dir->path() + "/" + name).parent_path());
    EXPECT_TRUE(writeFile(dir->path() + "/" + name, content, 0600));
    argv.push_back(name);
  }
  SpawnOptions o;
  o.argv = argv;
  o.cwd = dir->path();
  auto child = spawn(o);
  EXPECT_TRUE(child);
  EXPECT_EQ(child->wait(), 0);
  return slurp(dir->path() + "/out.archive");
}

TEST(CodeFiles, TempDirIsPrivateAndRemoved) {
  std::string path;
  {
    auto dir = TempDir::create();
    ASSERT_TRUE(dir) << dir.error().str();
    path = dir->path();
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_TRUE(writeFile(path + "/f", "x", 0600));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(CodeFiles, WriteFileSetsMode) {
  auto dir = TempDir::create();
  ASSERT_TRUE(writeFile(dir->path() + "/exec", "#!/bin/sh\n", 0700));
  struct stat st;
  ASSERT_EQ(::stat((dir->path() + "/exec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(slurp(dir->path() + "/exec"), "#!/bin/sh\n");
}

TEST(CodeFiles, ExtractsZipTarAndGzippedTar) {
  for (std::string tool : {"zip", "tar", "tgz"}) {
    std::string bytes = pack({{"exec", "#!/bin/sh\necho hi\n"}, {"lib/util.txt", "u"}}, tool);
    CodeFormat format = detectFormat(bytes);
    EXPECT_EQ(format, tool == "zip" ? CodeFormat::zip
                      : tool == "tgz" ? CodeFormat::gzip : CodeFormat::tar) << tool;
    auto dir = TempDir::create();
    auto st = extractArchive(bytes, format, dir->path());
    ASSERT_TRUE(st) << tool << ": " << st.error().str();
    EXPECT_EQ(slurp(dir->path() + "/exec"), "#!/bin/sh\necho hi\n") << tool;
    EXPECT_EQ(slurp(dir->path() + "/lib/util.txt"), "u") << tool;
    EXPECT_FALSE(std::filesystem::exists(dir->path() + "/.clemmys-archive"));
  }
}

TEST(CodeFiles, CorruptArchiveFails) {
  auto dir = TempDir::create();
  auto st = extractArchive(std::string("PK\x03\x04garbage", 11), CodeFormat::zip, dir->path());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().name, "runtime.unpack_failed");
  EXPECT_EQ(extractArchive("text", CodeFormat::text, dir->path()).error().name,
            "runtime.not_archive");
}

TEST(CodeFiles, FindsExecutablesInPath) {
  auto sh = findExecutable("sh");
  ASSERT_TRUE(sh);
  EXPECT_EQ(sh->front(), '/');
  EXPECT_EQ(findExecutable("no-such-tool-clemmys").error().name, "runtime.not_found");
}

TEST(LoopAction, LaysOutEachKind) {
  std::string launchers = CLEMMYS_RUNTIME_TESTDATA;  // any directory; see below
  {
    auto dir = TempDir::create();
    ActionSource src{"#!/bin/sh\n", CodeFormat::text, false};
    auto spec = prepareLoopAction(Kind::blackbox, src, "main", dir->path(), Interpreters{launchers, "", ""});
    ASSERT_TRUE(spec) << spec.error().str();
    EXPECT_EQ(spec->argv, (std::vector<std::string>{dir->path() + "/exec", "main"}));
    EXPECT_FALSE(spec->expectAck);
    EXPECT_EQ(::access((dir->path() + "/exec").c_str(), X_OK), 0);
  }
  {
    auto dir = TempDir::create();
    ActionSource src{"print(1)", CodeFormat::text, false};
    auto spec = prepareLoopAction(Kind::blackbox, src, "main", dir->path(), Interpreters{launchers, "", ""});
    ASSERT_FALSE(spec);
    EXPECT_EQ(spec.error().name, "runtime.bad_code");
  }
  {
    // A python zip without __main__.py is refused before any process starts.
    auto dir = TempDir::create();
    std::string zip = pack({{"other.py", "x = 1\n"}}, "zip");
    ActionSource src{zip, CodeFormat::zip, true};
    auto spec = prepareLoopAction(Kind::python, src, "main", dir->path(), Interpreters{launchers, "", ""});
    ASSERT_FALSE(spec);
    EXPECT_EQ(spec.error().message, "Zip file does not include __main__.py");
  }
  {
    // The launcher must exist in the launcher directory.
    auto dir = TempDir::create();
    ActionSource src{"def main(a): return a\n", CodeFormat::text, false};
    auto spec = prepareLoopAction(Kind::python, src, "main", dir->path(), Interpreters{dir->path(), "", ""});
    ASSERT_FALSE(spec);
    EXPECT_EQ(spec.error().name, "runtime.not_found");
    EXPECT_EQ(slurp(dir->path() + "/__main__.py"), "def main(a): return a\n");
  }
}

}  // namespace
}  // namespace clemmys::runtime

namespace clemmys::runtime {
namespace {

// A tar whose entries try to leave the directory: "../", an absolute path, a link
// out followed by a file through it, a device. Made with tar's -P / --transform.
std::string hostileTar(const std::string& member, const std::vector<std::string>& extra) {
  auto dir = TempDir::create();
  EXPECT_TRUE(writeFile(dir->path() + "/f", "escaped", 0600));
  SpawnOptions o;
  o.argv = {*findExecutable("tar"), "-cf", "out.tar", "-P"};
  o.argv.insert(o.argv.end(), extra.begin(), extra.end());
  o.argv.push_back(member);
  o.cwd = dir->path();
  auto child = spawn(o);
  EXPECT_TRUE(child);
  EXPECT_EQ(child->wait(), 0);
  return slurp(dir->path() + "/out.tar");
}

TEST(CodeFiles, ArchiveEntriesLeavingTheDirectoryAreRefused) {
  for (auto [transform, why] : {std::pair{"s,^f$,../escaped,", "dot-dot"}, {"s,^f$,/tmp/escaped-abs,", "absolute"},
                                {"s,^f$,a/../../escaped,", "dot-dot inside"}}) {
    auto dir = TempDir::create();
    ASSERT_TRUE(dir);
    auto st = extractArchive(hostileTar("f", {std::string("--transform=") + transform}), CodeFormat::tar, dir->path());
    ASSERT_FALSE(st) << why;
    EXPECT_EQ(st.error().name, "runtime.unpack_failed") << why;
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir->path()).parent_path() / "escaped")) << why;
    EXPECT_FALSE(std::filesystem::exists("/tmp/escaped-abs")) << why;
  }
}

}  // namespace
}  // namespace clemmys::runtime

#include "runtime/kind.h"

#include <gtest/gtest.h>

#include "common/encoding.h"

namespace clemmys::runtime {
namespace {

std::string tarHeader() {
  std::string t(512, '\0');
  t.replace(0, 4, "exec");
  t.replace(257, 6, std::string("ustar\0", 6));
  return t;
}

TEST(Kind, DetectsFormatsByMagic) {
  EXPECT_EQ(detectFormat("\x7f" "ELF\x02\x01"), CodeFormat::elf);
  EXPECT_EQ(detectFormat("PK\x03\x04rest"), CodeFormat::zip);
  EXPECT_EQ(detectFormat("\x1f\x8b\x08"), CodeFormat::gzip);
  EXPECT_EQ(detectFormat(tarHeader()), CodeFormat::tar);
  EXPECT_EQ(detectFormat("def main(args):\n"), CodeFormat::text);
  EXPECT_EQ(detectFormat(""), CodeFormat::text);
}

TEST(Kind, ParsesKindSpellings) {
  EXPECT_EQ(parseKind("cpp"), Kind::cpp);
  EXPECT_EQ(parseKind("python:3"), Kind::python);
  EXPECT_EQ(parseKind("python:3.11"), Kind::python);
  EXPECT_EQ(parseKind("nodejs:20"), Kind::nodejs);
  EXPECT_EQ(parseKind("nodejs:default"), Kind::nodejs);
  EXPECT_EQ(parseKind("blackbox"), Kind::blackbox);
  EXPECT_EQ(parseKind("native"), Kind::blackbox);
  auto bad = parseKind("java:8");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "runtime.unsupported_kind");
  EXPECT_FALSE(parseKind("pythonic"));
}

TEST(Kind, DecodesBinaryCode) {
  auto s = decodeSource(base64Encode("\x7f" "ELFxyz"), true);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->bytes, "\x7f" "ELFxyz");
  EXPECT_EQ(s->format, CodeFormat::elf);
  EXPECT_TRUE(s->wasBase64);
  auto bad = decodeSource("not base64 !!", true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "runtime.bad_base64");
}

TEST(Kind, InfersBinaryOnlyForKnownPayloads) {
  // Without the flag, base64 of an archive is binary...
  auto zip = decodeSource(base64Encode("PK\x03\x04zipdata"), std::nullopt);
  ASSERT_TRUE(zip);
  EXPECT_EQ(zip->format, CodeFormat::zip);
  // ...but text that merely happens to be valid base64 stays text.
  auto text = decodeSource("abcd", std::nullopt);
  ASSERT_TRUE(text);
  EXPECT_EQ(text->format, CodeFormat::text);
  EXPECT_EQ(text->bytes, "abcd");
  // binary=false is authoritative.
  auto forced = decodeSource(base64Encode("PK\x03\x04zipdata"), false);
  EXPECT_EQ(forced->format, CodeFormat::text);
}

TEST(Kind, ResolvesWithPrecedence) {
  ActionSource elf{"\x7f" "ELF", CodeFormat::elf, true};
  ActionSource script{"#!/bin/sh\n", CodeFormat::text, false};
  ActionSource python{"def main(a): return a", CodeFormat::text, false};
  ActionSource tar{tarHeader(), CodeFormat::tar, true};
  EXPECT_EQ(resolveKind("python:3", "nodejs:20", elf), Kind::python);  // value.kind wins
  EXPECT_EQ(resolveKind("", "nodejs:20", elf), Kind::nodejs);          // then --kind
  EXPECT_EQ(resolveKind("", "", elf), Kind::cpp);
  EXPECT_EQ(resolveKind("", "", tar), Kind::blackbox);
  EXPECT_EQ(resolveKind("", "", script), Kind::blackbox);
  auto unknown = resolveKind("", "", python);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().name, "runtime.unknown_kind");
}

TEST(Kind, Names) {
  EXPECT_STREQ(kindName(Kind::python), "python:3");
  EXPECT_STREQ(kindName(Kind::nodejs), "nodejs:20");
}

}  // namespace
}  // namespace clemmys::runtime

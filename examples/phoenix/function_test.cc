// Loads the built cpp functions with dlopen and calls them through the C ABI exactly as
// clemmys-runtime does: only clemmys_main may be exported, and it must set a result.
#include <clemmys/function.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

namespace {

namespace json = boost::json;

struct Captured {
  std::string result;
  int calls = 0;
};

void setResult(void* host, const char* data, size_t len) {
  auto* captured = static_cast<Captured*>(host);
  captured->result.assign(data, len);
  ++captured->calls;
}

class FunctionLibrary {
 public:
  explicit FunctionLibrary(const std::string& file)
      : handle_(dlopen((std::string(PHOENIX_FUNCTION_DIR) + "/" + file).c_str(),
                       RTLD_NOW | RTLD_LOCAL)) {}
  ~FunctionLibrary() {
    if (handle_) dlclose(handle_);
  }
  void* handle() const { return handle_; }
  json::value call(const std::string& params) {
    auto entry = reinterpret_cast<clemmys_entry_fn>(dlsym(handle_, "clemmys_main"));
    EXPECT_NE(entry, nullptr);
    if (entry == nullptr) return nullptr;
    Captured captured;
    clemmys_context ctx{CLEMMYS_ABI_VERSION, "id", "/_/f", "0.0.1", "_", "tx", "0", nullptr,
                        setResult, &captured};
    EXPECT_EQ(entry(params.c_str(), params.size(), &ctx), 0);
    EXPECT_EQ(captured.calls, 1);
    return json::parse(captured.result);
  }

 private:
  void* handle_;
};

TEST(FunctionTest, PhoenixWordcountThroughTheCAbi) {
  FunctionLibrary lib("libphoenix_wordcount.so");
  ASSERT_NE(lib.handle(), nullptr) << dlerror();
  EXPECT_EQ(lib.call(R"({"text":"x y x","top":1})"),
            json::parse(R"({"total_words":3,"unique_words":2,"top":[{"word":"x","count":2}]})"));
  EXPECT_TRUE(lib.call("not json").as_object().contains("error"));
  // Workload internals stay hidden: only the entry point is exported.
  EXPECT_EQ(dlsym(lib.handle(), "_ZN7phoenix11runWorkloadESt17basic_string_viewIcSt11char_traitsIcEES3_"),
            nullptr);
}

TEST(FunctionTest, PhoenixPca) {
  FunctionLibrary lib("libphoenix_pca.so");
  ASSERT_NE(lib.handle(), nullptr) << dlerror();
  EXPECT_EQ(lib.call(R"({"matrix":[[1,2],[3,6],[5,10]]})").at("top_eigenvalue"), json::value(20.0));
}

TEST(FunctionTest, HelloAndNoop) {
  FunctionLibrary hello("libhello.so");
  ASSERT_NE(hello.handle(), nullptr) << dlerror();
  EXPECT_EQ(hello.call(R"({"name":"Ada"})"), json::parse(R"({"greeting":"Hello, Ada!"})"));
  EXPECT_EQ(hello.call("{}"), json::parse(R"({"greeting":"Hello, World!"})"));
  FunctionLibrary noop("libnoop.so");
  ASSERT_NE(noop.handle(), nullptr) << dlerror();
  EXPECT_EQ(noop.call(R"({"anything":1})"), json::object{});
}

}  // namespace

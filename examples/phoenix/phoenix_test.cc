// Each workload against a tiny input whose answer was worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "histogram.h"
#include "kmeans.h"
#include "linear_regression.h"
#include "matrix_multiply.h"
#include "pca.h"
#include "string_match.h"
#include "wordcount.h"
#include "workloads.h"

namespace phoenix {
namespace {

json::value run(std::string_view name, std::string_view params) {
  return runWorkload(name, params);
}

TEST(WordCountTest, CountsCaseInsensitiveAndOrdersTies) {
  auto s = wordcount::count("The cat; the DOG, the cat's cat.\nDog", 3);
  EXPECT_EQ(s.totalWords, 8u);
  EXPECT_EQ(s.uniqueWords, 4u);  // the, cat, dog, cat's
  ASSERT_EQ(s.top.size(), 3u);
  EXPECT_EQ(s.top[0].word, "the");
  EXPECT_EQ(s.top[0].count, 3u);
  EXPECT_EQ(s.top[1].word, "cat");  // cat and dog tie at 2: alphabetical
  EXPECT_EQ(s.top[1].count, 2u);
  EXPECT_EQ(s.top[2].word, "dog");
  EXPECT_EQ(run("wordcount", R"({"text":"b a b","top":1})"),
            json::parse(R"({"total_words":3,"unique_words":2,"top":[{"word":"b","count":2}]})"));
}

TEST(StringMatchTest, WholeWordsOnly) {
  auto s = string_match::match("enclave enclaves Enclave clemmys", {"enclave", "Clemmys", "x"});
  EXPECT_EQ(s.wordsScanned, 4u);
  EXPECT_EQ(s.matches[0].second, 2u);
  EXPECT_EQ(s.matches[1].second, 1u);
  EXPECT_EQ(s.matches[2].second, 0u);
  EXPECT_EQ(run("string_match", R"({"text":"a b a","keys":["a"]})"),
            json::parse(R"({"words_scanned":3,"total_matches":2,"matches":{"a":2}})"));
}

TEST(HistogramTest, BinsPerChannel) {
  auto s = histogram::histogram({0, 255, 7, 0, 1, 7});
  EXPECT_EQ(s.pixels, 2u);
  EXPECT_EQ(s.bins[0][0], 2u);
  EXPECT_EQ(s.bins[1][255], 1u);
  EXPECT_EQ(s.bins[1][1], 1u);
  EXPECT_EQ(s.bins[2][7], 2u);
  auto out = run("histogram", R"({"pixels":[0,255,7,0,1,7]})");
  EXPECT_EQ(out.at("channels").at("green").at("mean"), json::value(128.0));
  EXPECT_EQ(out.at("channels").at("red").at("mode"), json::value(0));
  EXPECT_EQ(out.at("channels").at("blue").at("mode_count"), json::value(2));
  EXPECT_TRUE(run("histogram", R"({"pixels":[1,2]})").as_object().contains("error"));
  EXPECT_TRUE(run("histogram", R"({"pixels":[1,2,256]})").as_object().contains("error"));
}

TEST(LinearRegressionTest, ExactLine) {
  // y = 2x + 1 through (0,1), (1,3), (2,5): SX=3, SY=9, SXX=5, SYY=35, SXY=13.
  auto s = linear_regression::fit({{0, 1}, {1, 3}, {2, 5}});
  EXPECT_DOUBLE_EQ(s.slope, 2.0);
  EXPECT_DOUBLE_EQ(s.intercept, 1.0);
  EXPECT_DOUBLE_EQ(s.r2, 1.0);
  EXPECT_EQ(run("linear_regression", R"({"points":[[0,1],[1,3],[2,5]]})"),
            json::parse(R"({"n":3,"slope":2.0,"intercept":1.0,"r2":1.0,
              "sums":{"sx":"3","sy":"9","sxx":"5","syy":"35","sxy":"13"}})"));
  // (0,0), (1,1), (2,0), (3,1): n=4, SX=6, SY=2, SXX=14, SYY=2, SXY=4;
  // slope = (4*4 - 6*2) / (4*14 - 36) = 0.2, intercept = (2 - 0.2*6) / 4 = 0.2,
  // r2 = 4^2 / (20 * (4*2 - 4)) = 0.2.
  auto noisy = linear_regression::fit({{0, 0}, {1, 1}, {2, 0}, {3, 1}});
  EXPECT_NEAR(noisy.slope, 0.2, 1e-12);
  EXPECT_NEAR(noisy.intercept, 0.2, 1e-12);
  EXPECT_NEAR(noisy.r2, 0.2, 1e-12);
  auto vertical = linear_regression::fit({{1, 2}, {1, 4}});
  EXPECT_EQ(vertical.slope, 0.0);
  EXPECT_EQ(vertical.intercept, 3.0);
}

TEST(LinearRegressionTest, GeneratedDataRecoversTheLine) {
  auto s = linear_regression::fit(linear_regression::generatePoints(100000, 42));
  EXPECT_NEAR(s.slope, 3.0, 0.01);
  EXPECT_NEAR(s.intercept, 7.0, 1.0);
}

TEST(MatrixMultiplyTest, TwoByTwoAndRectangular) {
  // [1 2; 3 4] x [5 6; 7 8] = [19 22; 43 50]
  auto c = matrix_multiply::multiply({2, 2, {1, 2, 3, 4}}, {2, 2, {5, 6, 7, 8}});
  EXPECT_EQ(c.data, (std::vector<int64_t>{19, 22, 43, 50}));
  auto out = run("matrix_multiply", R"({"a":[[1,2],[3,4]],"b":[[5,6],[7,8]]})");
  EXPECT_EQ(out.at("sum"), json::value(134));
  EXPECT_EQ(out.at("trace"), json::value(69));
  EXPECT_EQ(out.at("first"), json::value(19));
  EXPECT_EQ(out.at("last"), json::value(50));
  // [1 2 3] x [[1],[1],[1]] = [6]
  auto rect = run("matrix_multiply", R"({"a":[[1,2,3]],"b":[[1],[1],[1]]})");
  EXPECT_EQ(rect.at("rows"), json::value(1));
  EXPECT_EQ(rect.at("cols"), json::value(1));
  EXPECT_EQ(rect.at("sum"), json::value(6));
  EXPECT_TRUE(run("matrix_multiply", R"({"a":[[1,2]],"b":[[1,2]]})").as_object().contains("error"));
}

TEST(KmeansTest, TwoObviousClusters) {
  kmeans::Points points{1, {0, 10, 1, 11, 2, 12}};
  auto s = kmeans::cluster(points, 2, 100);
  EXPECT_TRUE(s.converged);
  // Initial centres 0 and 10; points split {0,1,2} / {10,11,12}: centres 1 and 11.
  EXPECT_EQ(s.centres[0], std::vector<double>{1});
  EXPECT_EQ(s.centres[1], std::vector<double>{11});
  EXPECT_EQ(s.sizes, (std::vector<uint64_t>{3, 3}));
  EXPECT_DOUBLE_EQ(s.inertia, 4.0);
  auto out = run("kmeans", R"({"points":[[0,0],[0,2],[10,10],[10,12]],"k":2})");
  EXPECT_EQ(out.at("centres"), json::parse("[[0.0,1.0],[10.0,11.0]]"));
  EXPECT_TRUE(run("kmeans", R"({"points":[[0]],"k":2})").as_object().contains("error"));
}

TEST(PcaTest, MeansCovarianceAndTopComponent) {
  // Rows (1,2), (3,6), (5,10): means (3,6); covariance [[4,8],[8,16]];
  // eigenvalues 20 and 0, top eigenvector (1,2)/sqrt(5).
  NumberRows data{3, 2, {1, 2, 3, 6, 5, 10}};
  auto s = pca::analyze(data);
  EXPECT_EQ(s.means, (std::vector<double>{3, 6}));
  EXPECT_EQ(s.covariance, (std::vector<double>{4, 8, 8, 16}));
  EXPECT_NEAR(s.topEigenvalue, 20.0, 1e-9);
  EXPECT_NEAR(s.topEigenvector[0], 1 / std::sqrt(5.0), 1e-9);
  EXPECT_NEAR(s.topEigenvector[1], 2 / std::sqrt(5.0), 1e-9);
  auto out = run("pca", R"({"matrix":[[1,2],[3,6],[5,10]]})");
  EXPECT_EQ(out.at("total_variance"), json::value(20.0));
  EXPECT_EQ(out.at("explained_ratio"), json::value(1.0));
  EXPECT_TRUE(run("pca", R"({"matrix":[[1,2]]})").as_object().contains("error"));
}

TEST(WorkloadsTest, GeneratedInlineInputMatchesSizeAndSeed) {
  for (const auto& w : allWorkloads()) {
    auto job = w.prepare(w.generateInput(40, 7));
    ASSERT_TRUE(job.has_value()) << w.name << ": " << job.error();
    json::value inlineResult = (*job)();
    json::value generated = run(w.name, R"({"size":40,"seed":7})");
    EXPECT_EQ(inlineResult, generated) << w.name;
    EXPECT_FALSE(generated.as_object().contains("error")) << w.name;
    EXPECT_NE(run(w.name, R"({"size":40,"seed":8})"), generated) << w.name;
  }
}

TEST(WorkloadsTest, BadParametersAreErrors) {
  EXPECT_TRUE(run("wordcount", "[1]").as_object().contains("error"));
  EXPECT_TRUE(run("wordcount", "{").as_object().contains("error"));
  EXPECT_TRUE(run("wordcount", R"({"size":-1})").as_object().contains("error"));
  EXPECT_TRUE(run("matrix_multiply", R"({"size":100000})").as_object().contains("error"));
  EXPECT_TRUE(run("nope", "{}").as_object().contains("error"));
  EXPECT_EQ(findWorkload("nope"), nullptr);
  EXPECT_EQ(allWorkloads().size(), 7u);
}

}  // namespace
}  // namespace phoenix

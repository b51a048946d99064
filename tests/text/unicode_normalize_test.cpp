#include "curate/text/unicode_normalize_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "filter_test_util.hpp"

#include <gtest/gtest.h>

namespace curate::text {
namespace {

TEST(UnicodeNormalizeTest, NormalizesToEachForm) {
  EXPECT_EQ(normalize_unicode("cafe\u0301", NormalizationForm::kNfc), "caf\u00e9");
  EXPECT_EQ(normalize_unicode("caf\u00e9", NormalizationForm::kNfd), "cafe\u0301");
  EXPECT_EQ(normalize_unicode("\ufb01ne", NormalizationForm::kNfkc), "fine");  // ligature fi
  EXPECT_EQ(normalize_unicode("\ufb01ne", NormalizationForm::kNfc), "\ufb01ne");
  EXPECT_EQ(normalize_unicode("\u2460", NormalizationForm::kNfkd), "1");  // circled one
  EXPECT_EQ(normalize_unicode("plain ascii", NormalizationForm::kNfd), "plain ascii");
  EXPECT_EQ(normalize_unicode("", NormalizationForm::kNfc), "");
}

TEST(UnicodeNormalizeTest, ParsesFormNames) {
  EXPECT_EQ(parse_normalization_form("NFKC"), NormalizationForm::kNfkc);
  EXPECT_EQ(parse_normalization_form("nfd"), NormalizationForm::kNfd);
  EXPECT_THROW(parse_normalization_form("nfx"), std::invalid_argument);
}

TEST(UnicodeNormalizeTest, StageRewritesOnlyTheTextColumn) {
  UnicodeNormalizeStage stage("normalize_unicode", NormalizationForm::kNfc);
  auto batch = testing::make_batch({"cafe\u0301", "\u4e2d\u6587", "ascii"}, true);
  auto out = std::dynamic_pointer_cast<DocumentBatch>(stage.process(batch).at(0));
  EXPECT_EQ(testing::texts_of(*out),
            (std::vector<std::string>{"caf\u00e9", "\u4e2d\u6587", "ascii"}));
  EXPECT_EQ(out->int64s("id")[2], 102);
  EXPECT_THROW(stage.process(std::make_shared<EmptyTask>()), std::invalid_argument);
}

}  // namespace
}  // namespace curate::text

#include "curate/core/document_batch.hpp"

#include <gtest/gtest.h>

namespace curate {
namespace {

std::shared_ptr<DocumentBatch> make_batch(std::vector<std::string> texts) {
  auto batch = std::make_shared<DocumentBatch>("batch-1", "corpus");
  StringColumn text;
  std::vector<int64_t> lengths;
  for (const auto& value : texts) {
    text.append(value);
    lengths.push_back(static_cast<int64_t>(value.size()));
  }
  batch->set_column("text", std::move(text));
  batch->set_column("length", std::move(lengths));
  return batch;
}

TEST(DocumentBatch, StoresTextAsOneBufferWithOffsets) {
  auto batch = make_batch({"alpha", "", "gamma ray"});
  ASSERT_EQ(batch->num_rows(), 3u);
  EXPECT_EQ(batch->text()[0], "alpha");
  EXPECT_EQ(batch->text()[1], "");
  EXPECT_EQ(batch->text()[2], "gamma ray");
  EXPECT_EQ(batch->text().total_bytes(), 14u);
  EXPECT_EQ(batch->int64s("length")[2], 9);
  EXPECT_EQ(batch->column_names(), (std::vector<std::string>{"text", "length"}));
}

TEST(DocumentBatch, RejectsColumnsOfAnotherLengthNamingTheColumn) {
  auto batch = make_batch({"a", "b"});
  try {
    batch->set_column("score", std::vector<double>{1.0});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'score' has 1 rows"), std::string::npos);
  }
}

TEST(DocumentBatch, WrongTypeOrMissingColumnIsAClearError) {
  auto batch = make_batch({"a"});
  EXPECT_THROW(batch->doubles("length"), std::invalid_argument);
  EXPECT_THROW(batch->strings("nope"), std::out_of_range);
}

TEST(DocumentBatch, SliceSharesColumnsAndSeesTheWindow) {
  auto batch = make_batch({"a", "bb", "ccc", "dddd"});
  auto slice = batch->slice(1, 2);
  ASSERT_EQ(slice->num_rows(), 2u);
  EXPECT_EQ(slice->text()[0], "bb");
  EXPECT_EQ(slice->text()[1], "ccc");
  EXPECT_EQ(slice->int64s("length")[1], 3);
  EXPECT_EQ(slice->task_id(), "batch-1");
  auto nested = slice->slice(1, 1);
  EXPECT_EQ(nested->text()[0], "ccc");
  EXPECT_THROW(batch->slice(3, 2), std::out_of_range);
}

TEST(DocumentBatch, FilterRowsCompactsKeptRows) {
  auto batch = make_batch({"a", "bb", "ccc", "dddd"})->slice(1, 3);
  std::vector<uint8_t> keep{1, 0, 1};
  auto kept = batch->filter_rows(keep);
  ASSERT_EQ(kept->num_rows(), 2u);
  EXPECT_EQ(kept->text()[0], "bb");
  EXPECT_EQ(kept->text()[1], "dddd");
  EXPECT_EQ(kept->int64s("length")[1], 4);
  std::vector<uint8_t> wrong{1};
  EXPECT_THROW(batch->filter_rows(wrong), std::invalid_argument);
}

TEST(DocumentBatch, AddingAColumnToASliceAlignsWithTheWindow) {
  auto slice = make_batch({"a", "bb", "ccc"})->slice(1, 2);
  slice->set_column("score", std::vector<double>{0.5, 0.25});
  EXPECT_EQ(slice->doubles("score")[1], 0.25);
  EXPECT_EQ(slice->text()[1], "ccc");
  EXPECT_TRUE(slice->validate());
}

TEST(DocumentBatch, SerialisesRoundTripIncludingHistory) {
  auto batch = make_batch({"h\xC3\xA9llo", "", "line\nbreak"})->slice(1, 2);
  batch->set_column("keep", std::vector<uint8_t>{1, 0});
  batch->set_column("score", std::vector<double>{1.5, -2.0});
  batch->metadata()["source_files"] = {"a.jsonl"};
  batch->stage_perf().push_back({"reader", 0.5, 0.1, 3, 2, {{"bytes", 42.0}}});
  auto copy = DocumentBatch::from_bytes(batch->to_bytes());
  EXPECT_EQ(copy->task_id(), "batch-1");
  EXPECT_EQ(copy->dataset_name(), "corpus");
  ASSERT_EQ(copy->num_rows(), 2u);
  EXPECT_EQ(copy->text()[0], "");
  EXPECT_EQ(copy->text()[1], "line\nbreak");
  EXPECT_EQ(copy->int64s("length")[1], 10);
  EXPECT_EQ(copy->bools("keep")[0], 1);
  EXPECT_EQ(copy->doubles("score")[1], -2.0);
  EXPECT_EQ(copy->metadata()["source_files"][0], "a.jsonl");
  ASSERT_EQ(copy->stage_perf().size(), 1u);
  EXPECT_EQ(copy->stage_perf()[0].custom_metrics.at("bytes"), 42.0);
}

TEST(DocumentBatch, SharedColumnsTravelOnceAndArriveShared) {
  auto batch = make_batch({"alpha", "beta", "gamma"})->slice(1, 2);
  const std::size_t alone = batch->to_bytes().size();
  batch->share_column("_text_as_read", "text");
  const std::string bytes = batch->to_bytes();
  EXPECT_LT(bytes.size(), alone + 32);  // a reference, not the rows again
  auto copy = DocumentBatch::from_bytes(bytes);
  ASSERT_EQ(copy->num_rows(), 2u);
  EXPECT_EQ(copy->strings("_text_as_read")[1], "gamma");
  EXPECT_EQ(copy->column_lineage("_text_as_read"), copy->column_lineage("text"));
  EXPECT_EQ(copy->to_bytes(), bytes);
}

TEST(DocumentBatch, CorruptBytesAreAnErrorNotACrash) {
  const std::string bytes = make_batch({"abc"})->to_bytes();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_THROW(DocumentBatch::from_bytes(std::string_view(bytes).substr(0, cut)), std::exception);
  }
}

TEST(DocumentBatch, LineageFollowsValuesThroughSliceAndFilterButNotReplacement) {
  auto batch = make_batch({"a", "bb", "ccc"});
  const auto text = batch->column_lineage("text");
  EXPECT_NE(text, 0u);
  EXPECT_NE(batch->column_lineage("length"), text);
  EXPECT_EQ(batch->column_lineage("absent"), 0u);
  EXPECT_EQ(batch->slice(1, 2)->column_lineage("text"), text);
  const std::vector<uint8_t> keep{1, 0, 1};
  EXPECT_EQ(batch->filter_rows(keep)->column_lineage("text"), text);
  EXPECT_NE(DocumentBatch::from_bytes(batch->to_bytes())->column_lineage("text"), text);
  StringColumn again;
  for (const char* value : {"a", "bb", "ccc"}) again.append(value);
  batch->set_column("text", std::move(again));
  EXPECT_NE(batch->column_lineage("text"), text);
}

TEST(DocumentBatch, SharedColumnsShareStorageThroughSliceAndFilterUntilReplaced) {
  auto batch = make_batch({"a", "bb", "ccc"});
  batch->share_column("text_copy", "text");
  EXPECT_EQ(batch->strings("text_copy")[2], "ccc");
  EXPECT_EQ(batch->strings("text_copy")[0].data(), batch->text()[0].data());
  EXPECT_EQ(batch->column_lineage("text_copy"), batch->column_lineage("text"));
  const auto sliced = batch->slice(1, 2);
  EXPECT_EQ(sliced->strings("text_copy")[0].data(), sliced->text()[0].data());
  const std::vector<uint8_t> keep{1, 0, 1};
  const auto filtered = sliced->filter_rows(std::vector<uint8_t>{0, 1});
  ASSERT_EQ(filtered->num_rows(), 1u);
  EXPECT_EQ(filtered->text()[0], "ccc");
  // Gathered once, still one buffer for both names.
  EXPECT_EQ(filtered->strings("text_copy")[0].data(), filtered->text()[0].data());
  const auto whole = batch->filter_rows(keep);
  EXPECT_EQ(whole->strings("text_copy")[1], "ccc");
  EXPECT_EQ(whole->strings("text_copy")[1].data(), whole->text()[1].data());
  // Replacing one name parts the two; the other keeps the old values.
  StringColumn other;
  for (const char* value : {"x", "y", "z"}) other.append(value);
  batch->set_column("text", std::move(other));
  EXPECT_EQ(batch->text()[0], "x");
  EXPECT_EQ(batch->strings("text_copy")[0], "a");
  EXPECT_NE(batch->column_lineage("text_copy"), batch->column_lineage("text"));
  // Sharing again replaces the existing column rather than adding a second one.
  const std::size_t columns = batch->column_names().size();
  batch->share_column("text_copy", "text");
  EXPECT_EQ(batch->column_names().size(), columns);
  EXPECT_EQ(batch->strings("text_copy")[0], "x");
  EXPECT_THROW(batch->share_column("y", "absent"), std::out_of_range);
}

TEST(StringColumn, AdoptedStorageIsReadInPlaceAndCopiedOnlyWhenAppendedTo) {
  auto storage = std::make_shared<std::string>("alphabetagamma");
  std::weak_ptr<std::string> watch = storage;
  StringColumn column = StringColumn::adopt(storage, *storage, {0, 5, 9, 14});
  storage.reset();  // the column keeps it alive
  ASSERT_FALSE(watch.expired());
  ASSERT_EQ(column.size(), 3u);
  EXPECT_EQ(column[1], "beta");
  EXPECT_EQ(column[0].data(), watch.lock()->data());  // no copy
  EXPECT_EQ(column.range_bytes(1, 3), "betagamma");
  StringColumn copy = column;  // shares the storage too
  EXPECT_EQ(copy[2].data(), column[2].data());
  copy.append("delta");  // its own buffer from now on
  EXPECT_EQ(copy[3], "delta");
  EXPECT_EQ(copy[0], "alpha");
  EXPECT_NE(copy[0].data(), column[0].data());
  column = StringColumn();
  copy = StringColumn();
  EXPECT_TRUE(watch.expired());

  auto keeper = std::make_shared<int>(0);
  EXPECT_THROW(StringColumn::adopt(keeper, "abc", {0, 2}), std::invalid_argument);
  EXPECT_THROW(StringColumn::adopt(keeper, "abc", {0, 2, 1, 3}), std::invalid_argument);
  EXPECT_THROW(StringColumn::adopt(nullptr, "abc", {0, 3}), std::invalid_argument);
}

TEST(DocumentBatch, ConcatJoinsRowsOfEqualSchemas) {
  std::vector<std::shared_ptr<DocumentBatch>> parts{make_batch({"a", "b"})->slice(1, 1),
                                                    make_batch({"c"})};
  auto joined = DocumentBatch::concat(parts);
  ASSERT_EQ(joined->num_rows(), 2u);
  EXPECT_EQ(joined->text()[0], "b");
  EXPECT_EQ(joined->text()[1], "c");
  auto other = make_batch({"d"});
  other->drop_column("length");
  parts.push_back(other);
  EXPECT_THROW(DocumentBatch::concat(parts), std::invalid_argument);
}

}  // namespace
}  // namespace curate

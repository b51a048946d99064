#include "curate/io/jsonl_reader_stage.hpp"

#include "curate/core/pipeline.hpp"
#include "curate/core/task_ids.hpp"
#include "curate/io/jsonl_format.hpp"
#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <thread>

namespace curate::io {
namespace {

using testing::column_values;
using testing::read_all;

// `count` records {"text":"t0"}, {"text":"t1"}, ..., one per line.
std::string numbered_records(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "{\"text\":\"t" + std::to_string(i) + "\"}\n";
  return text;
}
using testing::TempDir;
using testing::write_file;

TEST(JsonlReaderTest, ReadsTextIdRawAndHashColumns) {
  TempDir dir;
  write_file(dir.file("a.jsonl"),
             "{\"id\":\"x1\",\"text\":\"caf\\u00e9\"}\n{\"text\":\"two\",\"id\":7}\n");
  const auto batches = read_all({dir.file("a.jsonl")});
  ASSERT_EQ(batches.size(), 1u);
  const DocumentBatch& batch = *batches[0];
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.text_field(), "text");
  EXPECT_EQ(batch.text()[0], "caf\xC3\xA9");
  EXPECT_EQ(batch.strings("id")[0], "x1");
  EXPECT_EQ(batch.strings("id")[1], "7");
  EXPECT_EQ(batch.strings(kRawColumn)[0], "{\"id\":\"x1\",\"text\":\"caf\\u00e9\"}\n");
  // The text as read is the text column under a second name, sharing its storage.
  EXPECT_EQ(batch.strings(kTextAsReadColumn)[1], "two");
  EXPECT_EQ(batch.strings(kTextAsReadColumn)[0].data(), batch.text()[0].data());
  EXPECT_EQ(batch.column_lineage(kTextAsReadColumn), batch.column_lineage("text"));
  EXPECT_EQ(batch.metadata()[kSourceFilesKey], nlohmann::json::array({dir.file("a.jsonl")}));
  EXPECT_EQ(batch.metadata()[kBadRecordsKey], 0);
}

TEST(JsonlReaderTest, MissingIdsAreDerivedFromFileAndLine) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"text\":\"one\"}\n\n{\"text\":\"three\",\"id\":null}\n");
  const auto ids = column_values(read_all({dir.file("a.jsonl")}), "id");
  const std::string prefix = stable_hash_id(dir.file("a.jsonl"));
  EXPECT_EQ(ids, (std::vector<std::string>{prefix + "-1", prefix + "-3"}));
}

TEST(JsonlReaderTest, CustomTextAndIdFields) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"content\":\"hello\",\"doc\":\"d1\",\"text\":5}\n");
  JsonlReaderOptions options;
  options.schema.text_field = "content";
  options.schema.id_field = "doc";
  const auto batches = read_all({dir.file("a.jsonl")}, options);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->text_field(), "content");
  EXPECT_EQ(batches[0]->text()[0], "hello");
  EXPECT_EQ(batches[0]->strings("doc")[0], "d1");
  options.schema.id_field = "content";
  EXPECT_THROW(JsonlReaderStage{options}, std::invalid_argument);
}

TEST(JsonlReaderTest, SelectedFieldsBecomeTypedColumns) {
  TempDir dir;
  write_file(
      dir.file("a.jsonl"),
      "{\"text\":\"a\",\"n\":1,\"x\":1.5,\"ok\":true,\"url\":\"u1\",\"meta\":{\"k\":[1,2]},\"mix\":"
      "1}\n"
      "{\"text\":\"b\",\"n\":2,\"x\":2,\"ok\":false,\"url\":null,\"meta\":[],\"mix\":\"s\"}\n"
      "{\"text\":\"c\"}\n");
  JsonlReaderOptions options;
  options.schema.fields = {"n", "x", "ok", "url", "meta", "mix", "absent"};
  const auto batches = read_all({dir.file("a.jsonl")}, options);
  ASSERT_EQ(batches.size(), 1u);
  const DocumentBatch& batch = *batches[0];
  EXPECT_EQ(std::vector<int64_t>(batch.int64s("n").begin(), batch.int64s("n").end()),
            (std::vector<int64_t>{1, 2, 0}));
  EXPECT_EQ(batch.doubles("x")[0], 1.5);
  EXPECT_EQ(batch.doubles("x")[1], 2.0);
  EXPECT_TRUE(std::isnan(batch.doubles("x")[2]));
  EXPECT_EQ(batch.bools("ok")[0], 1);
  EXPECT_EQ(batch.bools("ok")[1], 0);
  EXPECT_EQ(batch.strings("url")[0], "u1");
  EXPECT_EQ(batch.strings("url")[1], "");
  EXPECT_EQ(batch.strings("meta")[0], "{\"k\":[1,2]}");
  EXPECT_EQ(batch.strings("meta")[1], "[]");
  EXPECT_EQ(batch.strings("mix")[0], "1");
  EXPECT_EQ(batch.strings("mix")[1], "\"s\"");
  EXPECT_EQ(batch.strings("mix")[2], "");
  EXPECT_EQ(batch.strings("absent")[0], "");
  EXPECT_EQ(batch.metadata()[kRecordColumnsKey],
            nlohmann::json({"text", "id", "n", "x", "ok", "url", "meta", "mix", "absent"}));
}

TEST(JsonlReaderTest, SplitsGroupsIntoBatchesOfBoundedSize) {
  TempDir dir;
  std::string a, b;
  for (int i = 0; i < 25; ++i) a += "{\"text\":\"a" + std::to_string(i) + "\"}\n";
  for (int i = 0; i < 10; ++i) b += "{\"text\":\"b" + std::to_string(i) + "\"}\n";
  write_file(dir.file("a.jsonl"), a);
  write_file(dir.file("b.jsonl"), b);
  FilePartitioningOptions partitioning;
  partitioning.paths = {dir.path().string()};
  partitioning.files_per_partition = 2;
  JsonlReaderOptions options;
  options.batch_rows = 10;
  const auto batches = read_all(partitioning, options);
  ASSERT_EQ(batches.size(), 4u);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i]->num_rows(), i < 3 ? 10u : 5u);
    ids.insert(batches[i]->task_id());
  }
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_TRUE(batches[0]->task_id().ends_with("_0"));
  EXPECT_TRUE(batches[3]->task_id().ends_with("_3"));
  // The third batch spans both files.
  EXPECT_EQ(batches[2]->metadata()[kSourceFilesKey].size(), 2u);

  options.batch_rows = 1000;
  options.batch_bytes = 100;  // about 7 lines of ~14 bytes
  const auto by_bytes = read_all(partitioning, options);
  EXPECT_GT(by_bytes.size(), 4u);
  for (const auto& batch : by_bytes)
    EXPECT_LE(batch->strings(kRawColumn).total_bytes(), 100u + 16u);
}

TEST(JsonlReaderTest, ReadsGzipAndZstdFiles) {
  TempDir dir;
  const std::string text = "{\"text\":\"x\"}\n{\"text\":\"y\"}\n";
  write_file(dir.file("a.jsonl.gz"), testing::gzip_bytes(text));
  write_file(dir.file("b.jsonl.zst"), testing::zstd_bytes(text));
  const auto batches = read_all({dir.path().string()});
  EXPECT_EQ(column_values(batches, "text"), (std::vector<std::string>{"x", "y", "x", "y"}));
}

TEST(JsonlReaderTest, LineEndingsBomAndBlankLines) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "\xEF\xBB\xBF{\"text\":\"one\"}\r\n\r\n   \n{\"text\":\"two\"}");
  const auto batches = read_all({dir.file("a.jsonl")});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(column_values(batches, "text"), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(batches[0]->strings(kRawColumn)[0], "{\"text\":\"one\"}\n");
  EXPECT_EQ(batches[0]->strings(kRawColumn)[1], "{\"text\":\"two\"}\n");
  EXPECT_EQ(batches[0]->metadata()[kBadRecordsKey], 0);
}

TEST(JsonlReaderTest, RawLinesStayInTheReadBufferWithoutACopy) {
  TempDir dir;
  const std::string text = numbered_records(25);
  write_file(dir.file("a.jsonl"), text);
  JsonlReaderOptions options;
  options.batch_rows = 10;
  const auto batches = read_all({dir.file("a.jsonl")}, options);
  ASSERT_EQ(batches.size(), 3u);
  std::string joined;
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const auto raw = batches[b]->strings(kRawColumn);
    for (std::size_t i = 0; i < raw.size(); ++i) joined += raw[i];
    if (b == 0) continue;
    // The batches' rows follow each other in memory: all point into the one buffer the
    // file was read into, which no copy would do.
    const auto before = batches[b - 1]->strings(kRawColumn);
    const std::string_view last = before[before.size() - 1];
    EXPECT_EQ(last.data() + last.size(), raw[0].data()) << b;
  }
  EXPECT_EQ(joined, text);
}

TEST(JsonlReaderTest, SmallReadBuffersGiveTheSameRecordsAsOneBigOne) {
  // Good lines mixed with every kind of gap (CRLF, blank, bad JSON, missing text, too
  // long, a BOM, no final newline), read through 4 KiB buffers: batches end where a
  // buffer does, some adopt their lines and some copy them, and all must agree.
  TempDir dir;
  std::string text = "\xEF\xBB\xBF";
  std::vector<std::string> good;
  std::uint64_t expected_bad = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string line = "{\"id\":" + std::to_string(i) + ",\"text\":\"" +
                             std::string(static_cast<std::size_t>((i * 31) % 400), 'w') + "\"}";
    switch (i % 53) {
      case 7:
        text += "\n";
        break;
      case 11:
        text += "{not json\n", ++expected_bad;
        break;
      case 13:
        text += "{\"id\":1}\n", ++expected_bad;
        break;
      case 17:
        text += std::string(5000, 'x') + "\n", ++expected_bad;
        break;
      default:
        break;
    }
    text += line + (i % 41 == 0 ? "\r\n" : "\n");
    good.push_back(line + "\n");
  }
  text.pop_back();  // the last line has no "\n"
  write_file(dir.file("a.jsonl"), text);
  JsonlReaderOptions big;
  big.max_line_bytes = 4000;
  JsonlReaderOptions small = big;
  small.chunk_bytes = 4096;
  small.batch_bytes = 4096;
  const auto reference = read_all({dir.file("a.jsonl")}, big);
  const auto batches = read_all({dir.file("a.jsonl")}, small);
  EXPECT_GT(batches.size(), 100u);
  EXPECT_EQ(column_values(batches, std::string(kRawColumn)), good);
  EXPECT_EQ(column_values(reference, std::string(kRawColumn)), good);
  EXPECT_EQ(column_values(batches, "text"), column_values(reference, "text"));
  EXPECT_EQ(column_values(batches, "id"), column_values(reference, "id"));
  std::uint64_t bad = 0, bad_reference = 0;
  for (const auto& batch : batches) bad += batch->metadata()[kBadRecordsKey].get<std::uint64_t>();
  for (const auto& batch : reference) {
    bad_reference += batch->metadata()[kBadRecordsKey].get<std::uint64_t>();
  }
  EXPECT_EQ(bad, bad_reference);
  EXPECT_EQ(bad, expected_bad);  // every bad line precedes a good one, so is in a batch
}

TEST(JsonlReaderTest, GroupsOfFilesKeepEveryLineWhateverTheBuffers) {
  // Batches go on across the files of a group while a file's lines may be held in the
  // reader's buffer: no line of one file may be overwritten by the next one's. Small
  // and large files, compressed ones (whose size hint is the compressed size), and
  // several buffer and batch sizes.
  TempDir dir;
  std::vector<std::string> expected;
  const auto make = [&](const std::string& name, int lines, int width) {
    std::string text;
    for (int i = 0; i < lines; ++i) {
      const std::string line = "{\"text\":\"" + name + "-" + std::to_string(i) + "-" +
                               std::string(static_cast<std::size_t>((i * 13) % width), 'q') + "\"}";
      text += line + "\n";
      expected.push_back(line + "\n");
    }
    return text;
  };
  write_file(dir.file("a.jsonl"), make("a", 3, 10));
  write_file(dir.file("b.jsonl"), make("b", 400, 300));
  write_file(dir.file("c.jsonl.gz"), testing::gzip_bytes(make("c", 400, 300)));
  write_file(dir.file("d.jsonl"), make("d", 1, 5));
  write_file(dir.file("e.jsonl.zst"), testing::zstd_bytes(make("e", 300, 200)));
  FilePartitioningOptions partitioning;
  for (const char* name : {"a.jsonl", "b.jsonl", "c.jsonl.gz", "d.jsonl", "e.jsonl.zst"}) {
    partitioning.paths.push_back(dir.file(name));
  }
  partitioning.files_per_partition = 5;
  for (const std::size_t chunk : {4096u, 10000u, 1u << 20}) {
    for (const std::size_t rows : {7u, 100u, 100000u}) {
      JsonlReaderOptions options;
      options.chunk_bytes = chunk;
      options.batch_bytes = chunk;
      options.batch_rows = rows;
      const auto batches = read_all(partitioning, options);
      EXPECT_EQ(column_values(batches, std::string(kRawColumn)), expected)
          << "chunk " << chunk << ", rows " << rows;
    }
  }
}

TEST(JsonlReaderTest, EmptyFilesGiveNoBatches) {
  TempDir dir;
  write_file(dir.file("empty.jsonl"), "");
  write_file(dir.file("empty.jsonl.gz"), "");
  write_file(dir.file("blank.jsonl"), "\n\n");
  EXPECT_TRUE(read_all({dir.path().string()}).empty());
}

TEST(JsonlReaderTest, IdsAreStableAcrossRunsPartitioningsAndThreads) {
  TempDir dir;
  for (int f = 0; f < 6; ++f) {
    std::string text;
    for (int i = 0; i < 40; ++i) {
      text += i % 3 == 0 ? "{\"text\":\"t\"}\n"
                         : "{\"id\":\"f" + std::to_string(f) + "-" + std::to_string(i) +
                               "\",\"text\":\"t\"}\n";
    }
    write_file(dir.file("f" + std::to_string(f) + ".jsonl"), text);
  }
  auto all_ids = [&](std::optional<int> per_partition, std::size_t batch_rows) {
    FilePartitioningOptions partitioning;
    partitioning.paths = {dir.path().string()};
    partitioning.files_per_partition = per_partition;
    JsonlReaderOptions options;
    options.batch_rows = batch_rows;
    const auto ids = column_values(read_all(partitioning, options), "id");
    return std::multiset<std::string>(ids.begin(), ids.end());
  };
  const auto reference = all_ids(std::nullopt, 10'000);
  EXPECT_EQ(reference.size(), 240u);
  EXPECT_EQ(std::set<std::string>(reference.begin(), reference.end()).size(), 240u);
  EXPECT_EQ(all_ids(std::nullopt, 10'000), reference);
  EXPECT_EQ(all_ids(4, 7), reference);
  EXPECT_EQ(all_ids(6, 1), reference);

  // Clones read groups concurrently, as the workers of an executor would.
  FilePartitioningOptions partitioning;
  partitioning.paths = {dir.path().string()};
  JsonlReader reader(partitioning, JsonlReaderOptions{});
  const auto stages = reader.decompose();
  const auto groups = stages[0]->process(std::make_shared<EmptyTask>());
  std::vector<std::vector<TaskPtr>> outputs(groups.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    threads.emplace_back([&, i] { outputs[i] = stages[1]->clone()->process(groups[i]); });
  }
  for (auto& thread : threads) thread.join();
  std::multiset<std::string> threaded;
  for (const auto& tasks : outputs) {
    for (const auto& task : tasks) {
      const auto ids = dynamic_cast<const DocumentBatch&>(*task).strings("id");
      for (std::size_t row = 0; row < ids.size(); ++row) threaded.emplace(ids[row]);
    }
  }
  EXPECT_EQ(threaded, reference);
}

TEST(JsonlReaderTest, CompositeExpandsInAPipeline) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"text\":\"x\"}\n");
  FilePartitioningOptions partitioning;
  partitioning.paths = {dir.file("a.jsonl")};
  auto reader = std::make_shared<JsonlReader>(partitioning, JsonlReaderOptions{});
  Pipeline pipeline("p");
  pipeline.add_stage(reader);
  const auto stages = pipeline.build();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0]->name(), "file_partitioning");
  EXPECT_EQ(stages[1]->name(), "jsonl_reader");
  EXPECT_TRUE(stages[1]->stage_spec().is_fanout_stage());
  EXPECT_TRUE(stages[1]->outputs().any_columns);
}

TEST(JsonlReaderTest, ReadGroupStreamsTheSameBatchesAsProcess) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), numbered_records(50));
  JsonlReaderOptions options;
  options.batch_rows = 8;
  JsonlReaderStage stage(options);
  auto group =
      std::make_shared<FileGroupTask>("g", "ds", std::vector<std::string>{dir.file("a.jsonl")});
  std::vector<std::string> streamed;
  EXPECT_TRUE(stage.read_group(*group, [&](std::shared_ptr<DocumentBatch> batch) {
    streamed.push_back(batch->task_id() + ":" + std::to_string(batch->num_rows()));
    return true;
  }));
  std::vector<std::string> processed;
  for (const auto& task : stage.process(group)) {
    processed.push_back(task->task_id() + ":" + std::to_string(task->num_items()));
  }
  EXPECT_EQ(streamed, processed);
  EXPECT_EQ(streamed.size(), 7u);
  EXPECT_EQ(streamed.front(), "g_0:8");
  EXPECT_EQ(streamed.back(), "g_6:2");
}

TEST(JsonlReaderTest, ProcessStreamStopsWhenTheReceiverSaysSo) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), numbered_records(50));
  JsonlReaderOptions options;
  options.batch_rows = 8;
  JsonlReaderStage stage(options);
  EXPECT_TRUE(stage.streams_outputs());
  auto group =
      std::make_shared<FileGroupTask>("g", "ds", std::vector<std::string>{dir.file("a.jsonl")});
  std::vector<std::string> ids;
  stage.process_stream(group, [&](TaskPtr batch) {
    ids.push_back(batch->task_id());
    return ids.size() < 2;
  });
  EXPECT_EQ(ids, (std::vector<std::string>{"g_0", "g_1"}));
  // The instance is whole again for the next group: nothing of the stopped one leaks in.
  std::size_t rows = 0;
  stage.process_stream(group, [&](TaskPtr batch) {
    rows += batch->num_items();
    return true;
  });
  EXPECT_EQ(rows, 50u);
}

TEST(JsonlReaderTest, RejectsTasksThatAreNotFileGroups) {
  JsonlReaderStage stage(JsonlReaderOptions{});
  EXPECT_THROW(stage.process(std::make_shared<EmptyTask>()), std::invalid_argument);
  EXPECT_THROW(stage.process_stream(std::make_shared<EmptyTask>(), [](TaskPtr) { return true; }),
               std::invalid_argument);
}

}  // namespace
}  // namespace curate::io

#include "curate/core/stage_spec.hpp"

#include <gtest/gtest.h>

namespace curate {
namespace {

TEST(StageSpecKey, ConvertsExactlyToAndFromStrings) {
  const std::vector<std::pair<StageSpecKey, std::string>> expected{
      {StageSpecKey::IsActorStage, "is_actor_stage"},
      {StageSpecKey::IsFanoutStage, "is_fanout_stage"},
      {StageSpecKey::IsLshStage, "is_lsh_stage"},
      {StageSpecKey::IsRaftActor, "is_raft_actor"},
      {StageSpecKey::IsShuffleStage, "is_shuffle_stage"},
      {StageSpecKey::MaxCallsPerWorker, "max_calls_per_worker"},
      {StageSpecKey::RayRemoteArgs, "ray_remote_args"}};
  for (const auto& [key, name] : expected) {
    EXPECT_EQ(to_string(key), name);
    EXPECT_EQ(stage_spec_key_from_string(name), key);
  }
  EXPECT_FALSE(stage_spec_key_from_string("IS_ACTOR_STAGE"));
  EXPECT_FALSE(stage_spec_key_from_string("is_actor_stage "));
}

TEST(StageSpec, UnknownKeyNamesKeyAndStage) {
  try {
    StageSpec::from_json({{"is_actor", true}}, "minhash");
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "stage 'minhash': unknown stage spec key 'is_actor'");
  }
}

TEST(StageSpec, ChecksValueTypes) {
  EXPECT_THROW(StageSpec::from_json({{"max_calls_per_worker", 0}}, "s"), std::invalid_argument);
  EXPECT_THROW(StageSpec::from_json({{"is_fanout_stage", 1}}, "s"), std::invalid_argument);
  EXPECT_THROW(StageSpec::from_json({{"ray_remote_args", 3}}, "s"), std::invalid_argument);
  const auto spec = StageSpec::from_json(
      {{"is_actor_stage", true}, {"max_calls_per_worker", 3}, {"ray_remote_args", {{"a", 1}}}},
      "s");
  EXPECT_TRUE(spec.is_actor_stage());
  EXPECT_FALSE(spec.is_fanout_stage());
  EXPECT_EQ(spec.max_calls_per_worker(), 3);
  EXPECT_EQ(spec.ray_remote_args()["a"], 1);
  EXPECT_EQ(StageSpec::from_json(spec.to_json(), "s").values(), spec.values());
}

}  // namespace
}  // namespace curate

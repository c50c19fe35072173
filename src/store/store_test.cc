#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "common/clock.h"
#include "store/sqlite.h"

namespace clemmys::store {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("clemmys-store-" + std::to_string(getpid()) + "-" + random_.hex(4));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<Store> open() {
    auto s = Store::open(dir_.string());
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().str());
    return s ? std::move(*s) : nullptr;
  }
  ActivationRow pending(const std::string& id, int64_t start) {
    json::object skel{{"namespace", "guest"},
                      {"name", "a"},
                      {"activationId", id},
                      {"start", start},
                      {"annotations", json::array()}};
    return ActivationRow{id, "guest", "a", start, start, 0, true, json::serialize(skel)};
  }

  fs::path dir_;
  SystemRandom random_;
};

TEST_F(StoreTest, CreatesDatabaseWithWalAndSubjectIsStable) {
  std::string uuid, key;
  {
    auto s = open();
    auto subj = s->ensureSubject("guest", random_);
    ASSERT_TRUE(subj);
    uuid = subj->uuid;
    key = subj->key;
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(uuid.size(), 36u);
    EXPECT_EQ(uuid[14], '4');
  }
  EXPECT_TRUE(fs::exists(dir_ / "controller" / "clemmys.db"));
  auto s = open();
  auto subj = s->ensureSubject("guest", random_);
  ASSERT_TRUE(subj);
  EXPECT_EQ(subj->uuid, uuid);
  EXPECT_EQ(subj->key, key);
  auto all = s->subjects();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].ns, "guest");
}

TEST_F(StoreTest, ActionCrud) {
  auto s = open();
  EXPECT_FALSE(s->getAction("guest", "a").value().has_value());
  ASSERT_TRUE(s->putAction({"guest", "a", "{\"v\":1}", "r1", 10}));
  ASSERT_TRUE(s->putAction({"guest", "pkg/b", "{\"v\":2}", "r2", 11}));
  ASSERT_TRUE(s->putAction({"other", "c", "{}", "r3", 12}));
  auto a = s->getAction("guest", "a").value();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->doc, "{\"v\":1}");
  EXPECT_EQ(a->revision, "r1");
  ASSERT_TRUE(s->putAction({"guest", "a", "{\"v\":3}", "r4", 13}));
  EXPECT_EQ(s->getAction("guest", "a").value()->revision, "r4");
  EXPECT_EQ(s->countActions("guest").value(), 2);
  auto list = s->listActions("guest", 1, 1).value();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "pkg/b");
  EXPECT_TRUE(s->deleteAction("guest", "a").value());
  EXPECT_FALSE(s->deleteAction("guest", "a").value());
  EXPECT_EQ(s->countActions("guest").value(), 1);
}

TEST_F(StoreTest, PendingThenCompleteAndDuplicateId) {
  auto s = open();
  std::string id(32, 'a');
  ASSERT_TRUE(s->insertPending(pending(id, 100)));
  auto dup = s->insertPending(pending(id, 101));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().name, "store.duplicate_id");
  auto row = s->getActivation("guest", id).value();
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->pending);
  ASSERT_TRUE(s->completeActivation({id, "guest", "a", 100, 105, 1, false, "{\"done\":true}"}));
  row = s->getActivation("guest", id).value();
  EXPECT_FALSE(row->pending);
  EXPECT_EQ(row->endMs, 105);
  EXPECT_EQ(row->statusCode, 1);
  EXPECT_EQ(row->doc, "{\"done\":true}");
  EXPECT_FALSE(s->getActivation("other", id).value().has_value());
}

TEST_F(StoreTest, ListNewestFirstWithFilters) {
  auto s = open();
  for (int i = 0; i < 5; ++i) {
    std::string id = std::string(31, '0') + char('0' + i);
    ActivationRow r{id, "guest", i % 2 ? "odd" : "even", 100 + i, 100 + i, 0, false, "{}"};
    ASSERT_TRUE(s->completeActivation(r));
  }
  ActivationQuery q{"guest"};
  auto all = s->listActivations(q).value();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].startMs, 104);
  EXPECT_EQ(all[4].startMs, 100);
  q.name = "odd";
  EXPECT_EQ(s->listActivations(q).value().size(), 2u);
  EXPECT_EQ(s->countActivations(q).value(), 2);
  q.name.reset();
  q.sinceMs = 101;
  q.uptoMs = 103;
  auto mid = s->listActivations(q).value();
  ASSERT_EQ(mid.size(), 3u);
  EXPECT_EQ(mid[0].startMs, 103);
  q.limit = 1;
  q.skip = 1;
  auto page = s->listActivations(q).value();
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].startMs, 102);
}

TEST_F(StoreTest, PendingRowsBecomeInternalErrorsOnReopen) {
  std::string id(32, 'b'), queuedId(32, 'c');
  {
    auto s = open();
    ASSERT_TRUE(s->insertPending(pending(id, 500)));
    ASSERT_TRUE(s->insertPendingLater(pending(queuedId, 501), false));
    s->flush();  // what a blocking invoke does before it answers 202 with the id
  }              // closed without completing either
  auto s = open();
  EXPECT_EQ(s->recoveredOnOpen(), 2);
  auto queued = s->getActivation("guest", queuedId).value();
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->statusCode, 3);
  auto row = s->getActivation("guest", id).value();
  ASSERT_TRUE(row);
  EXPECT_FALSE(row->pending);
  EXPECT_EQ(row->statusCode, 3);
  auto doc = json::parse(row->doc).as_object();
  EXPECT_EQ(doc.at("response").at("status").as_string(), "whisk internal error");
  EXPECT_EQ(doc.at("response").at("success").as_bool(), false);
  EXPECT_EQ(doc.at("response").at("result").at("error").as_string(), kInterruptedMessage);
  EXPECT_EQ(doc.at("name").as_string(), "a");
  EXPECT_EQ(doc.at("end").as_int64(), 500);
  EXPECT_TRUE(doc.at("logs").as_array().empty());
  s.reset();
  auto again = open();
  EXPECT_EQ(again->recoveredOnOpen(), 0);
}

TEST_F(StoreTest, SurvivesSigkillMidActivation) {
  std::string done(32, 'c'), killed(32, 'd');
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = Store::open(dir_.string());
    if (!s) _exit(2);
    (void)(*s)->insertPending(pending(done, 1));
    (void)(*s)->completeActivation({done, "guest", "a", 1, 2, 0, false, "{\"ok\":1}"});
    (void)(*s)->insertPending(pending(killed, 3));
    kill(getpid(), SIGKILL);
    _exit(3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto s = open();
  EXPECT_EQ(s->recoveredOnOpen(), 1);
  EXPECT_EQ(s->getActivation("guest", done).value()->doc, "{\"ok\":1}");
  auto row = s->getActivation("guest", killed).value();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->statusCode, 3);
}

TEST_F(StoreTest, RefusesNewerSchema) {
  { auto s = open(); }
  {
    auto db = Db::open((dir_ / "controller" / "clemmys.db").string());
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'"));
  }
  auto s = Store::open(dir_.string());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "store.schema_too_new");
}

TEST_F(StoreTest, WriteBehindIsVisibleToTheNextRead) {
  auto s = open();
  std::string parent = random_.hex(16), child = random_.hex(16);
  ASSERT_TRUE(s->insertPending(pending(parent, 10)));
  s->completeActivationLater({child, "guest", "a", 11, 12, 0, false, "{\"child\":1}"});
  s->completeActivationLater({parent, "guest", "a", 10, 13, 0, false, "{\"parent\":1}"});
  auto c = s->getActivation("guest", child);  // no explicit flush: reads flush
  ASSERT_TRUE(c && *c);
  EXPECT_FALSE((*c)->pending);
  EXPECT_EQ((*c)->doc, "{\"child\":1}");
  auto p = s->getActivation("guest", parent);
  ASSERT_TRUE(p && *p);
  EXPECT_FALSE((*p)->pending);
  EXPECT_EQ((*p)->endMs, 13);
  auto n = s->countActivations(ActivationQuery{"guest"});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
}

TEST_F(StoreTest, ClosingCommitsEverythingQueued) {
  std::vector<std::string> ids;
  {
    auto s = open();
    for (int i = 0; i < 200; ++i) {
      ids.push_back(random_.hex(16));
      ASSERT_TRUE(s->insertPending(pending(ids.back(), i)));
      s->completeActivationLater({ids.back(), "guest", "a", i, i + 1, 0, false, "{}"});
    }
  }  // the destructor drains the queue
  auto s = open();
  EXPECT_EQ(s->recoveredOnOpen(), 0);
  for (const auto& id : ids) {
    auto a = s->getActivation("guest", id);
    ASSERT_TRUE(a && *a) << id;
    EXPECT_FALSE((*a)->pending);
  }
}

TEST_F(StoreTest, QueuedWritesApplyInOrder) {
  auto s = open();
  std::string id = random_.hex(16);
  ASSERT_TRUE(s->insertPending(pending(id, 1)));
  for (int i = 0; i < 50; ++i) {
    s->completeActivationLater(
        {id, "guest", "a", 1, 2 + i, 0, false, "{\"n\":" + std::to_string(i) + "}"});
  }
  auto a = s->getActivation("guest", id);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->doc, "{\"n\":49}");
  EXPECT_EQ((*a)->endMs, 51);
}

TEST_F(StoreTest, QueuedPendingRowIsCommittedAndRefusesItsIdAtOnce) {
  auto s = open();
  std::string id = random_.hex(16);
  ASSERT_TRUE(s->insertPendingLater(pending(id, 5), true));
  // Refused while only queued, on both paths, whether or not the table is consulted.
  for (bool checkStored : {true, false}) {
    auto dup = s->insertPendingLater(pending(id, 6), checkStored);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().name, "store.duplicate_id");
  }
  auto syncDup = s->insertPending(pending(id, 7));
  ASSERT_FALSE(syncDup);
  EXPECT_EQ(syncDup.error().name, "store.duplicate_id");
  s->flush();
  auto row = s->getActivation("guest", id).value();
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->pending);
  EXPECT_EQ(row->startMs, 5);
  // Committed: the claim is gone, the table refuses the id now.
  auto stored = s->insertPendingLater(pending(id, 8), true);
  ASSERT_FALSE(stored);
  EXPECT_EQ(stored.error().name, "store.duplicate_id");
}

TEST_F(StoreTest, PendingAndCompleteInOneBatchWriteTheRecord) {
  auto s = open();
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(random_.hex(16));
    ASSERT_TRUE(s->insertPendingLater(pending(ids.back(), i), false));
    s->completeActivationLater(
        {ids.back(), "guest", "a", i, i + 3, 0, false, "{\"i\":" + std::to_string(i) + "}"});
  }
  for (int i = 0; i < 20; ++i) {
    auto row = s->getActivation("guest", ids[static_cast<size_t>(i)]).value();
    ASSERT_TRUE(row);
    EXPECT_FALSE(row->pending);
    EXPECT_EQ(row->startMs, i);
    EXPECT_EQ(row->endMs, i + 3);
    EXPECT_EQ(row->doc, "{\"i\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(s->countActivations(ActivationQuery{"guest"}).value(), 20);
}

TEST_F(StoreTest, OneControllerPerDirectory) {
  auto first = open();
  auto second = Store::open(dir_.string());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().name, "store.locked");
  first.reset();
  EXPECT_TRUE(Store::open(dir_.string()));
}

TEST_F(StoreTest, WriterCheckpointsTheWal) {
  // SQLite's automatic checkpoint is off (it would sync the file under the store's
  // lock); the writer thread checkpoints on its own connection instead, before its
  // next batch once the WAL passed 1000 frames. Without that, 12 rounds of 500
  // records of 2 KiB leave a WAL of > 24 MiB; with it the WAL is reused.
  auto s = open();
  std::string doc(2048, 'x');
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 500; ++i)
      s->completeActivationLater({random_.hex(16), "guest", "a", i, i, 0, false, doc});
    s->flush();
  }
  auto wal = fs::file_size(dir_ / "controller" / "clemmys.db-wal");
  auto db = fs::file_size(dir_ / "controller" / "clemmys.db");
  EXPECT_LT(wal, 12u << 20) << "WAL never checkpointed";
  EXPECT_GT(db, 8u << 20) << "records never reached the database file";
  EXPECT_EQ(s->countActivations(ActivationQuery{"guest"}).value(), 6000);
}

}  // namespace
}  // namespace clemmys::store

#include "device-client/file_writer.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "gps/config/config.h"
#include "tests/support/subprocess.h"

namespace gps::device_client {
namespace {

using gps::testing::FileMode;
using gps::testing::TempDir;

std::string Read(const std::string& path) { return config::ReadFile(path).value_or("<missing>"); }

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  while (d) {
    struct dirent* e = ::readdir(d.get());
    if (e == nullptr) {
      break;
    }
    std::string name = e->d_name;
    if (name != "." && name != "..") {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class FileWriterTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(FileWriterTest, WritesContentWithTheExactMode) {
  // A restrictive umask must not change the modes asked for, nor a permissive one widen them.
  mode_t old = ::umask(0077);
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"public", "hello\n", 0644}).ok());
  ::umask(0000);
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"secret", "s3cr3t", 0600}).ok());
  ::umask(old);
  EXPECT_EQ(Read(dir_.File("public")), "hello\n");
  EXPECT_EQ(FileMode(dir_.File("public")), 0644);
  EXPECT_EQ(Read(dir_.File("secret")), "s3cr3t");
  EXPECT_EQ(FileMode(dir_.File("secret")), 0600);
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{"public", "secret"}))
      << "no temporary file left behind";
}

TEST_F(FileWriterTest, ReplacesAnExistingFileAndItsMode) {
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", "old", 0644}).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", "new", 0600}).ok());
  EXPECT_EQ(Read(dir_.File("f")), "new");
  EXPECT_EQ(FileMode(dir_.File("f")), 0600);
}

TEST_F(FileWriterTest, WithoutReplaceAnExistingFileIsKept) {
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"key", "first", 0600}).ok());
  Status st = WriteFileAtomic(dir_.path(), {"key", "second", 0600}, /*replace=*/false);
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_EQ(Read(dir_.File("key")), "first");
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{"key"}));
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"fresh", "x", 0600}, /*replace=*/false).ok());
  EXPECT_EQ(Read(dir_.File("fresh")), "x");
}

TEST_F(FileWriterTest, CrashBeforeTheRenameLeavesTheOldContent) {
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", "old content", 0644}).ok());
  FaultHook crash = [](WriteStage stage, std::string_view) {
    return stage == WriteStage::kTempWritten ? Status::Unavailable("injected crash") : Status::Ok();
  };
  Status st = WriteFileAtomic(dir_.path(), {"f", "new content", 0600}, true, crash);
  EXPECT_EQ(st.message(), "injected crash");
  EXPECT_EQ(Read(dir_.File("f")), "old content");
  EXPECT_EQ(FileMode(dir_.File("f")), 0644);
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{"f"}));
}

TEST_F(FileWriterTest, ReadersSeeEitherTheOldOrTheNewContentNeverAMix) {
  const std::string a(64 * 1024, 'a');
  const std::string b(64 * 1024, 'b');
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", a, 0644}).ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::string seen = Read(dir_.File("f"));
      if (seen != a && seen != b) {
        torn.fetch_add(1);
      }
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", i % 2 == 0 ? b : a, 0644}).ok());
  }
  // Let the reader look at the final state at least once, however the threads were scheduled.
  int before = reads.load();
  while (reads.load() < before + 2) {
    std::this_thread::yield();
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
}

TEST_F(FileWriterTest, FilesAreWrittenInOrderEachDurableBeforeTheNext) {
  std::vector<std::string> renamed;
  FaultHook record = [&](WriteStage stage, std::string_view name) {
    if (stage == WriteStage::kRenamed) {
      renamed.emplace_back(name);
    }
    return Status::Ok();
  };
  std::vector<FileSpec> files = {{"a", "1", 0644}, {"b", "2", 0600}, {"provisioned", "m", 0644}};
  ASSERT_TRUE(WriteFilesInOrder(dir_.path(), files, record).ok());
  EXPECT_EQ(renamed, (std::vector<std::string>{"a", "b", "provisioned"}));
}

TEST_F(FileWriterTest, FailureBeforeTheMarkerLeavesNoMarker) {
  // Old files from an earlier attempt, then a crash while the last data file is written.
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"b", "old b", 0600}).ok());
  FaultHook crash_on_b = [](WriteStage stage, std::string_view name) {
    return stage == WriteStage::kTempWritten && name == "b" ? Status::Unavailable("disk full")
                                                            : Status::Ok();
  };
  std::vector<FileSpec> files = {
      {"a", "new a", 0644}, {"b", "new b", 0600}, {"provisioned", "m", 0644}};
  Status st = WriteFilesInOrder(dir_.path(), files, crash_on_b);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Read(dir_.File("a")), "new a");
  EXPECT_EQ(Read(dir_.File("b")), "old b");
  EXPECT_FALSE(std::filesystem::exists(dir_.File("provisioned")));
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{"a", "b"}));
}

TEST_F(FileWriterTest, KilledMidWriteLeavesOldOrNewFilesAndNoMarkerWithoutThemAll) {
  // A real SIGKILL at every stage of every file: no cleanup code runs, as on a crash.
  const std::vector<FileSpec> old_files = {{"a", "old a", 0644}, {"b", "old b", 0600}};
  const std::vector<FileSpec> files = {
      {"a", "new a", 0644}, {"b", "new b", 0600}, {"c", "new c", 0644}, {"provisioned", "m", 0644}};
  for (const FileSpec& victim : files) {
    for (WriteStage kill_at : {WriteStage::kTempWritten, WriteStage::kRenamed}) {
      TempDir dir("gps-file-writer-kill");
      ASSERT_TRUE(WriteFilesInOrder(dir.path(), old_files).ok());
      pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        FaultHook die = [&](WriteStage stage, std::string_view name) {
          if (stage == kill_at && name == victim.name) {
            ::raise(SIGKILL);
          }
          return Status::Ok();
        };
        (void)WriteFilesInOrder(dir.path(), files, die);
        ::_exit(0);
      }
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << victim.name;

      std::string where = victim.name + (kill_at == WriteStage::kRenamed ? " renamed" : " temp");
      bool all_new = true;
      for (const FileSpec& f : files) {
        std::string got = Read(dir.File(f.name));
        std::string old = "<missing>";
        for (const FileSpec& o : old_files) {
          old = o.name == f.name ? o.content : old;
        }
        EXPECT_TRUE(got == f.content || got == old) << where << ": " << f.name << " = " << got;
        all_new = all_new && got == f.content;
      }
      EXPECT_EQ(std::filesystem::exists(dir.File("provisioned")), all_new) << where;

      // The next attempt cleans up and completes.
      RemoveStaleTemporaries(dir.path());
      ASSERT_TRUE(WriteFilesInOrder(dir.path(), files).ok()) << where;
      EXPECT_EQ(Entries(dir.path()), (std::vector<std::string>{"a", "b", "c", "provisioned"}))
          << where;
    }
  }
}

TEST_F(FileWriterTest, RefusesNamesThatAreNotPlainFileNames) {
  for (const char* bad : {"", ".", "..", "../escape", "sub/file"}) {
    EXPECT_TRUE(WriteFileAtomic(dir_.path(), {bad, "x", 0644}).IsInvalidArgument()) << bad;
  }
}

TEST_F(FileWriterTest, MissingDirectoryIsAnError) {
  Status st = WriteFileAtomic(dir_.File("missing"), {"f", "x", 0644});
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.File("missing")));
}

TEST_F(FileWriterTest, EnsureDirectoryCreatesTheDirectoryWithItsModeAndParentsOpen) {
  // As the client does: the private state directory first, inside the shared output directory.
  std::string output = dir_.File("var/lib/gps");
  std::string state = output + "/state";
  mode_t old = ::umask(0077);
  ASSERT_TRUE(EnsureDirectory(state, 0700).ok());
  ::umask(old);
  EXPECT_EQ(FileMode(state), 0700);
  EXPECT_EQ(FileMode(output), 0755) << "a parent is not made private";
  EXPECT_EQ(FileMode(dir_.File("var")), 0755);
  EXPECT_TRUE(EnsureDirectory(output, 0700).ok()) << "an existing directory is fine";
  EXPECT_EQ(FileMode(output), 0755) << "and is left as it is";
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"plain", "x", 0644}).ok());
  EXPECT_TRUE(EnsureDirectory(dir_.File("plain"), 0755).IsFailedPrecondition());
  EXPECT_FALSE(EnsureDirectory(dir_.File("plain/below"), 0755).ok());
}

TEST_F(FileWriterTest, RemoveFileDurablyToleratesAMissingFile) {
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"f", "x", 0644}).ok());
  EXPECT_TRUE(RemoveFileDurably(dir_.path(), "f").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.File("f")));
  EXPECT_TRUE(RemoveFileDurably(dir_.path(), "f").ok());
}

TEST_F(FileWriterTest, StaleTemporariesAreRemoved) {
  ASSERT_TRUE(
      WriteFileAtomic(dir_.path(), {".gps-tmp-device.key-abc123", "left by a crash", 0600}).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_.path(), {"device.crt", "kept", 0644}).ok());
  EXPECT_EQ(RemoveStaleTemporaries(dir_.path()), 1);
  EXPECT_EQ(Entries(dir_.path()), (std::vector<std::string>{"device.crt"}));
}

}  // namespace
}  // namespace gps::device_client

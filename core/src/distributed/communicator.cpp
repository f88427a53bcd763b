#include "distributed/communicator.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "gz/error.h"
#include "training/metrics_csv.h"

namespace gz::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBeatPeriod = std::chrono::milliseconds(500);
// A rank whose heartbeat has not moved for this long (or the world's timeout, if shorter) is
// taken for dead while the others wait for it.
constexpr double kStaleSeconds = 15;

std::string beatKey(int rank) {
    return "gz/beat/" + std::to_string(rank);
}
std::string failedKey(int rank) {
    return "gz/failed/" + std::to_string(rank);
}
std::string pointKey(const std::string& name, int rank) {
    return "gz/at/" + name + "/" + std::to_string(rank);
}

std::vector<std::uint8_t> bytesOf(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string rankList(const std::vector<int>& ranks) {
    std::string text = ranks.size() == 1 ? "rank " : "ranks ";
    for (std::size_t i = 0; i < ranks.size(); ++i)
        text += (i ? ", " : "") + std::to_string(ranks[i]);
    return text;
}

bool isLoopback(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace

struct Communicator::Impl {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    std::atomic<bool> stopBeating{false};
    std::thread heartbeat;

    ~Impl() {
        stopBeating = true;
        if (heartbeat.joinable()) heartbeat.join();
    }
};

Communicator::Communicator(const World& world)
    : world_(world),
      timeout_(std::chrono::milliseconds(static_cast<std::int64_t>(world.timeoutSeconds * 1000))),
      impl_(std::make_unique<Impl>()) {
    connectStore();
    awaitArrivals();
    connectGroup();
}

Communicator::~Communicator() = default;

void Communicator::connectStore() {
    const std::string master = world_.masterAddr + ":" + std::to_string(world_.masterPort);
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(world_.masterPort);
    options.isServer = world_.leader();
    options.numWorkers = static_cast<std::size_t>(world_.size);
    options.waitWorkers = false;  // awaitArrivals names the ranks that do not come
    options.timeout = timeout_;
    try {
        impl_->store = c10::make_intrusive<c10d::TCPStore>(world_.masterAddr, options);
    } catch (const std::exception& e) {
        if (world_.leader())
            throw DataError("distributed training: rank 0 cannot listen on " + master +
                            " (is another training using the port? choose another with --master "
                            "or MASTER_PORT): " +
                            firstLine(e.what()));
        throw DataError("distributed training: rank " + std::to_string(world_.rank) +
                        " could not reach rank 0 at " + master + " within " +
                        formatNumber(world_.timeoutSeconds) +
                        " s (rank 0 never started, or the address is wrong)");
    }
    // Beats on its own connection: a store client is not shared between threads.
    auto beatOptions = options;
    beatOptions.isServer = false;
    c10::intrusive_ptr<c10d::TCPStore> beatStore;
    try {
        beatStore = c10::make_intrusive<c10d::TCPStore>(world_.masterAddr, beatOptions);
    } catch (const std::exception&) {
        throw masterGone();  // rank 0 answered a moment ago: it has ended since
    }
    impl_->heartbeat = std::thread([impl = impl_.get(), beatStore, key = beatKey(world_.rank)] {
        try {
            while (!impl->stopBeating) {
                beatStore->add(key, 1);
                for (auto slept = std::chrono::milliseconds(0);
                     slept < kBeatPeriod && !impl->stopBeating;
                     slept += std::chrono::milliseconds(50))
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        } catch (const std::exception&) {
            // The store is gone (rank 0 ended): nothing left to beat for.
        }
    });
}

void Communicator::awaitArrivals() {
    try {
        checkArrivals();
    } catch (const DataError& e) {
        reportFailure(e.what());
        throw;
    } catch (const std::exception&) {
        throw masterGone();
    }
}

DataError Communicator::masterGone() const {
    return DataError("distributed training: rank 0 (the master at " + world_.masterAddr + ":" +
                     std::to_string(world_.masterPort) + ") is gone");
}

void Communicator::checkArrivals() {
    auto& store = *impl_->store;
    store.set("gz/size/" + std::to_string(world_.rank), bytesOf(std::to_string(world_.size)));
    std::vector<std::string> keys;
    for (int r = 0; r < world_.size; ++r) keys.push_back("gz/size/" + std::to_string(r));
    const auto deadline = Clock::now() + timeout_;
    while (!store.check(keys)) {
        if (Clock::now() > deadline) {
            std::vector<int> missing;
            for (int r = 0; r < world_.size; ++r)
                if (!store.check({keys[static_cast<std::size_t>(r)]})) missing.push_back(r);
            throw DataError("distributed training: " + rankList(missing) + " never arrived at " +
                            world_.masterAddr + ":" + std::to_string(world_.masterPort) +
                            " within " + formatNumber(world_.timeoutSeconds) +
                            " s (--dist-timeout)");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int r = 0; r < world_.size; ++r) {
        const auto v = store.get(keys[static_cast<std::size_t>(r)]);
        const std::string size(v.begin(), v.end());
        if (size != std::to_string(world_.size))
            throw DataError("distributed training: rank " + std::to_string(r) +
                            " was started with world size " + size + ", this rank with " +
                            std::to_string(world_.size));
    }
}

void Communicator::connectGroup() {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout_);
    if (auto ifname = processEnvironment("GLOO_SOCKET_IFNAME"))
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*ifname));
    else if (isLoopback(world_.masterAddr))
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    options->threads = 2;
    runCollective("connecting", [&] {
        impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(
            c10::make_intrusive<c10d::PrefixStore>("gloo", impl_->store), world_.rank, world_.size,
            options);
    });
}

void Communicator::runCollective(const std::string& what, const std::function<void()>& body) {
    try {
        body();
    } catch (const DataError&) {
        throw;
    } catch (const std::exception& e) {
        const std::string who = diagnose();
        throw DataError("distributed training: rank " + std::to_string(world_.rank) + " failed " +
                        what + ": " + (who.empty() ? firstLine(e.what()) : who));
    }
}

std::string Communicator::diagnose() {
    try {
        auto& store = *impl_->store;
        for (int r = 0; r < world_.size; ++r) {
            if (r == world_.rank || !store.check({failedKey(r)})) continue;
            const auto v = store.get(failedKey(r));
            return "rank " + std::to_string(r) + " failed: " + std::string(v.begin(), v.end());
        }
        auto beats = [&] {
            std::vector<std::int64_t> b;
            for (int r = 0; r < world_.size; ++r) b.push_back(store.add(beatKey(r), 0));
            return b;
        };
        const auto before = beats();
        std::this_thread::sleep_for(6 * kBeatPeriod);
        const auto after = beats();
        std::vector<int> silent;
        for (int r = 0; r < world_.size; ++r)
            if (r != world_.rank &&
                after[static_cast<std::size_t>(r)] == before[static_cast<std::size_t>(r)])
                silent.push_back(r);
        if (!silent.empty()) return rankList(silent) + " stopped answering (killed or hung)";
        return {};
    } catch (const std::exception&) {
        return masterGone().what();
    }
}

void Communicator::waitForAll(const std::string& name) {
    auto& store = *impl_->store;
    store.set(pointKey(name, world_.rank), bytesOf("1"));
    const double staleLimit = std::min(kStaleSeconds, world_.timeoutSeconds);
    std::vector<std::int64_t> lastBeat(static_cast<std::size_t>(world_.size), -1);
    std::vector<Clock::time_point> lastChange(static_cast<std::size_t>(world_.size), Clock::now());
    for (;;) {
        std::vector<int> waiting;
        try {
            for (int r = 0; r < world_.size; ++r)
                if (!store.check({pointKey(name, r)})) waiting.push_back(r);
            if (waiting.empty()) return;
            for (int r : waiting) {
                const auto i = static_cast<std::size_t>(r);
                if (store.check({failedKey(r)})) {
                    const auto v = store.get(failedKey(r));
                    throw DataError("distributed training: rank " + std::to_string(r) +
                                    " failed: " + std::string(v.begin(), v.end()));
                }
                const std::int64_t beat = store.add(beatKey(r), 0);
                if (beat != lastBeat[i]) {
                    lastBeat[i] = beat;
                    lastChange[i] = Clock::now();
                } else if (std::chrono::duration<double>(Clock::now() - lastChange[i]).count() >
                           staleLimit) {
                    throw DataError("distributed training: " + rankList({r}) +
                                    " stopped answering while the others waited for it (" + name +
                                    ")");
                }
            }
        } catch (const DataError&) {
            throw;
        } catch (const std::exception&) {
            throw masterGone();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void Communicator::sum(torch::Tensor& tensor) {
    runCollective("summing", [&] {
        std::vector<torch::Tensor> v{tensor};
        impl_->group->allreduce(v)->wait();
    });
}

void Communicator::broadcast(torch::Tensor& tensor) {
    runCollective("receiving rank 0's data", [&] {
        std::vector<torch::Tensor> v{tensor};
        impl_->group->broadcast(v)->wait();
    });
}

std::string Communicator::broadcastBytes(const std::string& bytes) {
    torch::Tensor size = torch::tensor({static_cast<std::int64_t>(bytes.size())}, torch::kInt64);
    broadcast(size);
    torch::Tensor data = torch::empty({size.item<std::int64_t>()}, torch::kUInt8);
    if (world_.leader()) std::copy(bytes.begin(), bytes.end(), data.data_ptr<std::uint8_t>());
    broadcast(data);
    const auto* p = data.data_ptr<std::uint8_t>();
    return std::string(p, p + data.numel());
}

void Communicator::broadcastBuffers(torch::nn::Module& module) {
    for (auto& b : module.buffers()) broadcast(b);
}

void Communicator::broadcastModule(torch::nn::Module& module) {
    torch::NoGradGuard noGrad;
    for (auto& p : module.parameters()) {
        torch::Tensor data = p.detach();
        broadcast(data);
    }
    broadcastBuffers(module);
}

void Communicator::reduceGradients(const std::vector<torch::Tensor>& parameters, double scale) {
    const auto start = Clock::now();
    // The layout: parameters in order, cut into buckets of at most kBucketFloats.
    struct Slot {
        torch::Tensor grad;
        std::size_t bucket;
        std::int64_t offset;
    };
    std::vector<Slot> slots;
    std::vector<std::int64_t> sizes{0};
    for (const auto& p : parameters) {
        if (!p.grad().defined()) continue;
        const std::int64_t n = p.grad().numel();
        if (sizes.back() > 0 && sizes.back() + n > kBucketFloats) sizes.push_back(0);
        slots.push_back({p.grad(), sizes.size() - 1, sizes.back()});
        sizes.back() += n;
    }
    if (buckets_.size() != sizes.size()) buckets_.clear();
    for (std::size_t b = 0; b < sizes.size(); ++b) {
        if (b < buckets_.size() && buckets_[b].numel() == sizes[b]) continue;
        if (b >= buckets_.size()) buckets_.resize(b + 1);
        buckets_[b] = torch::empty({sizes[b]}, torch::kFloat32);
    }
    for (const auto& s : slots)
        buckets_[s.bucket].narrow(0, s.offset, s.grad.numel()).copy_(s.grad.reshape({-1}));
    runCollective("averaging gradients", [&] {
        std::vector<c10::intrusive_ptr<c10d::Work>> works;
        for (auto& bucket : buckets_) {
            std::vector<torch::Tensor> v{bucket};
            works.push_back(impl_->group->allreduce(v));
        }
        for (auto& w : works) w->wait();
    });
    for (auto& bucket : buckets_)
        if (scale != 1) bucket.mul_(scale);
    for (auto& s : slots)
        s.grad.copy_(buckets_[s.bucket].narrow(0, s.offset, s.grad.numel()).view_as(s.grad));
    reduceSeconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

void Communicator::reportFailure(const std::string& message) noexcept {
    try {
        impl_->store->set(failedKey(world_.rank), bytesOf(firstLine(message)));
    } catch (...) {
        // The store is gone too: the others find out by themselves.
    }
}

}  // namespace gz::detail

// The headless path itself: an EGL surfaceless context, an FBO, ImGui drawing into it.
#include <gtest/gtest.h>
#include <imgui.h>

#include <set>

#include "app/headless.hpp"

using namespace costdeck;

TEST(Headless, DrawsAButtonIntoAnImage) {
  std::string err;
  auto gl = app::HeadlessGl::create(&err);
  ASSERT_TRUE(gl) << err;
  app::OffscreenRenderer r(320, 200, 1.0f, ui::Theme::Dark);
  ASSERT_TRUE(r.ok());
  app::Image img = r.render([] {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(320, 200));
    ImGui::Begin("root", nullptr, ImGuiWindowFlags_NoDecoration);
    ImGui::Text("Hello costdeck");
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(100, 100), ImVec2(150, 150), IM_COL32(255, 0, 0, 255));
    ImGui::End();
  });
  ASSERT_EQ(img.width, 320);
  ASSERT_EQ(img.height, 200);
  // The red square sits where it was drawn: rows are top-first.
  EXPECT_EQ(img.pixel(125, 125), IM_COL32(255, 0, 0, 255));
  std::set<std::uint32_t> colours;
  for (int y = 0; y < 40; ++y)
    for (int x = 0; x < 200; ++x) colours.insert(img.pixel(x, y));
  EXPECT_GT(colours.size(), 3u) << "text should be anti-aliased into several shades";
}

# Glue for Debian's system packages. Debian's imgui ships a static lib and a .pc file but
# no CMake config, and its pkg-config link order leaves FreeType unresolved: hence our own
# imported target.
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(simdjson REQUIRED)
find_package(date REQUIRED)
find_package(CLI11 REQUIRED)
find_package(glfw3 3.3 REQUIRED)
find_package(OpenGL REQUIRED COMPONENTS OpenGL EGL)
find_package(Freetype REQUIRED)

find_library(XXHASH_LIB NAMES xxhash REQUIRED)
add_library(xxhash_lib INTERFACE)
target_link_libraries(xxhash_lib INTERFACE ${XXHASH_LIB})

find_library(IMGUI_LIB NAMES libimgui.a imgui REQUIRED)
find_library(STB_LIB NAMES stb REQUIRED)
find_path(IMGUI_INCLUDE_DIR imgui.h PATH_SUFFIXES imgui REQUIRED)
find_path(STB_INCLUDE_DIR stb_image_write.h PATH_SUFFIXES stb REQUIRED)
add_library(imgui::imgui STATIC IMPORTED GLOBAL)
set_target_properties(imgui::imgui PROPERTIES
  IMPORTED_LOCATION "${IMGUI_LIB}"
  INTERFACE_INCLUDE_DIRECTORIES "${IMGUI_INCLUDE_DIR};${IMGUI_INCLUDE_DIR}/backends;${STB_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "${STB_LIB};Freetype::Freetype;glfw;OpenGL::GL;${CMAKE_DL_LIBS}")

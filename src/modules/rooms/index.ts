// The rooms module as other modules see it: import it from here, never from its files.
export {
  PLATFORM_ROOM_LIMITS,
  type RoomPostResult,
  type RoomRunContent,
  type RoomRunDeps,
  runRoomPosts,
} from "./run.ts";
